import { Badge, Button, Code, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useId, useRef } from 'react';
import { CopyValueButton } from '../api-keys/CopyValueButton';
import type { CreatedWebhook } from './webhook-helpers';

/**
 * A new endpoint's signing secret, right after it is created: the only time it is ever shown (the server
 * keeps it sealed and never returns it again). It lives in the page's state and nowhere else; "Done" forgets it.
 */
export function WebhookSecretBox({ created, onDone }: { created: CreatedWebhook; onDone: () => void }) {
  const titleId = useId();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => title.current?.focus(), []);

  return (
    <Paper className="secret-once" p="lg" radius="md" component="section" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Group gap="sm">
          <Title order={2} size="h4" id={titleId} ref={title} tabIndex={-1}>
            Copy the signing secret now
          </Title>
          <Badge color="yellow" variant="light" radius="sm">
            Shown once
          </Badge>
        </Group>
        <Text fw={600}>
          This secret will not be shown again. Store it where your receiver reads it; if it is lost, delete this webhook
          and create another.
        </Text>
        <TextInput
          label={`Signing secret of ${created.url}`}
          readOnly
          value={created.secret}
          classNames={{ input: 'secret-value' }}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
        />
        <Text size="sm">
          Your receiver checks each delivery&apos;s <Code>webhook-signature</Code> header with it (HMAC-SHA256 of{' '}
          <Code>webhook-id.webhook-timestamp.body</Code>, keyed with the part after <Code>whsec_</Code>,
          base64-decoded).
        </Text>
        <Group>
          <CopyValueButton value={created.secret} label="Copy secret" />
          <Button variant="default" onClick={onDone}>
            Done, I have stored it
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
