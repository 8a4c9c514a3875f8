import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useId, useRef } from 'react';
import { CopyValueButton } from '../api-keys/CopyValueButton';

/** Recovery codes, right after they are made: the only time they are shown (the server keeps only hashes). */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const titleId = useId();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => title.current?.focus(), []);

  return (
    <Paper className="secret-once" p="lg" radius="md" component="section" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Group gap="sm">
          <Title order={3} size="h5" id={titleId} ref={title} tabIndex={-1}>
            Your recovery codes
          </Title>
          <Badge color="yellow" variant="light" radius="sm">
            Shown once
          </Badge>
        </Group>
        <Text fw={600}>
          Store these codes somewhere safe now: they will not be shown again. Each one signs you in once, instead of a
          code from your app, if you lose your phone.
        </Text>
        <ul className="recovery-codes" aria-label="Recovery codes">
          {codes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
        <Group>
          <CopyValueButton value={codes.join('\n')} label="Copy recovery codes" />
          <Button variant="default" onClick={onDone}>
            Done, I have stored them
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
