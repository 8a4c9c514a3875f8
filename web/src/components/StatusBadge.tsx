import { Badge } from '@mantine/core';

/** One colour per state, everywhere; the word is always there too (never colour alone). */
const COLOURS: Record<string, string> = {
  pending: 'gray',
  queued: 'gray',
  scheduled: 'gray',
  running: 'blue',
  retrying: 'yellow',
  waiting: 'violet',
  succeeded: 'green',
  completed: 'green',
  failed: 'red',
  dead: 'red',
  cancelled: 'dark',
  expired: 'grape',
  canceled: 'dark',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={COLOURS[status] ?? 'gray'} variant="light" radius="sm">
      {status}
    </Badge>
  );
}
