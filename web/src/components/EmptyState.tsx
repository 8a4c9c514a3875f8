import { Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * An empty list says so, and says what to do next. Its title is a heading one level below the section it is in:
 * `order` 3 for a list under its own section's h2.
 */
export function EmptyState({
  title,
  children,
  action,
  order = 2,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  order?: 2 | 3;
}) {
  return (
    <Paper withBorder p="xl" radius="md">
      <Stack align="flex-start" gap="xs">
        <Title order={order} size="h4">
          {title}
        </Title>
        {children && <Text c="dimmed">{children}</Text>}
        {action}
      </Stack>
    </Paper>
  );
}
