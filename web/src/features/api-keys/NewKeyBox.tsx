import { Badge, Button, Code, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useId, useRef } from 'react';
import { CopyValueButton } from './CopyValueButton';
import type { CreatedApiKey } from './scopes';

function expiryText(expiresAt: string | null): string {
  if (!expiresAt) return 'never expires';
  return `expires on ${new Date(expiresAt).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' })}`;
}

/**
 * The key itself, right after it is created: the only time it is ever shown (the server keeps only its hash).
 * It lives in this component's state and nowhere else; "Done" forgets it.
 */
export function NewKeyBox({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const titleId = useId();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => title.current?.focus(), []);

  return (
    <Paper className="secret-once" p="lg" radius="md" component="section" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Group gap="sm">
          <Title order={2} size="h4" id={titleId} ref={title} tabIndex={-1}>
            Copy your new API key now
          </Title>
          <Badge color="yellow" variant="light" radius="sm">
            Shown once
          </Badge>
        </Group>
        <Text fw={600}>
          This key will not be shown again. Store it somewhere safe, such as a secret manager; if it is lost, revoke it
          and create another.
        </Text>
        <TextInput
          label={`Key “${created.name}”`}
          readOnly
          value={created.key}
          classNames={{ input: 'secret-value' }}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
        />
        <Text size="sm">
          Scopes: {created.scopes.join(', ')} · {expiryText(created.expiresAt)} · send it as the header{' '}
          <Code>X-API-Key</Code>
        </Text>
        <Group>
          <CopyValueButton value={created.key} label="Copy key" />
          <Button variant="default" onClick={onDone}>
            Done, I have stored it
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
