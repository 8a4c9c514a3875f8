import { Code, Text } from '@mantine/core';
import { SecretOnce } from '../../components/SecretOnce';
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
  return (
    <SecretOnce
      title="Copy your new API key now"
      warning="This key will not be shown again. Store it somewhere safe, such as a secret manager; if it is lost, revoke it and create another."
      copyValue={created.key}
      fieldLabel={`Key “${created.name}”`}
      copyLabel="Copy key"
      onDone={onDone}
    >
      <Text size="sm">
        Scopes: {created.scopes.join(', ')} · {expiryText(created.expiresAt)} · send it as the header{' '}
        <Code>X-API-Key</Code>
      </Text>
    </SecretOnce>
  );
}
