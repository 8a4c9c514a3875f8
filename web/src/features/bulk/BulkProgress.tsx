import { Group, Progress, Stack, Text } from '@mantine/core';
import { StatusBadge } from '../../components/StatusBadge';
import { type BulkOperation, operationTitle, progressPercent, progressText } from './bulk-helpers';

/** An operation's status (colour and word) and progress bar, its counts said politely as they change. */
export function BulkProgress({ op }: { op: BulkOperation }) {
  const label = `Progress of ${operationTitle(op).toLowerCase()} ${op.id.slice(0, 8)}`;
  return (
    <Stack gap={4} miw={220}>
      <Group gap="xs">
        <StatusBadge status={op.status} />
        <Text size="sm" aria-live="polite">
          {progressText(op)}
        </Text>
      </Group>
      <Progress
        value={progressPercent(op)}
        color={op.status === 'failed' ? 'red' : op.status === 'succeeded' ? 'green' : 'blue'}
        aria-label={label}
      />
      {op.error && (
        <Text size="xs" c="red.8">
          {op.error}
        </Text>
      )}
    </Stack>
  );
}
