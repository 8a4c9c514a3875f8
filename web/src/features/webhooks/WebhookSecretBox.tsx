import { Code, Text } from '@mantine/core';
import { SecretOnce } from '../../components/SecretOnce';
import type { CreatedWebhook } from './webhook-helpers';

/**
 * A new endpoint's signing secret, right after it is created: the only time it is ever shown (the server
 * keeps it sealed and never returns it again). It lives in the page's state and nowhere else; "Done" forgets it.
 */
export function WebhookSecretBox({ created, onDone }: { created: CreatedWebhook; onDone: () => void }) {
  return (
    <SecretOnce
      title="Copy the signing secret now"
      warning="This secret will not be shown again. Store it where your receiver reads it; if it is lost, delete this webhook and create another."
      copyValue={created.secret}
      fieldLabel={`Signing secret of ${created.url}`}
      copyLabel="Copy secret"
      onDone={onDone}
    >
      <Text size="sm">
        Your receiver checks each delivery&apos;s <Code>webhook-signature</Code> header with it (HMAC-SHA256 of{' '}
        <Code>webhook-id.webhook-timestamp.body</Code>, keyed with the part after <Code>whsec_</Code>, base64-decoded).
      </Text>
    </SecretOnce>
  );
}
