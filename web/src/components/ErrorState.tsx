import { Alert, Button, Code, Stack, Text } from '@mantine/core';
import { askingAgainMayHelp } from '../api/errors';
import { errorReference, failureWords } from './error-words';

/**
 * "Code CONFLICT · request 5f0c…": the error code and request id of a failure the server answered, as every error
 * state and refusal shows them; nothing for a failure without an answer.
 */
export function ErrorReference({ error }: { error: unknown }) {
  const reference = errorReference(error);
  if (!reference) return null;
  return (
    <Text size="xs">
      Code <Code>{reference.code}</Code>
      {reference.requestId && (
        <>
          {' '}
          · request <Code>{reference.requestId}</Code>
        </>
      )}
    </Text>
  );
}

/**
 * A failed request in words, with the error code and request id an operator can search the logs for; an address
 * whose id is malformed is said as plainly as one that names nothing (see {@link failureWords}). "Try again" is
 * offered when asking again may help: no answer at all, a timeout, a rate limit or a server-side failure. A
 * refusal of the request itself (400, 403, 404, 409, …) would only be refused again.
 */
export function ErrorState({
  title = 'Could not load this',
  error,
  fallbackMessage,
  details = [],
  onRetry,
}: {
  title?: string;
  error: unknown;
  fallbackMessage?: string;
  /** What the server said beyond its message (its `details` that no field of the form shows). */
  details?: readonly string[];
  onRetry?: () => void;
}) {
  const retryable = onRetry && askingAgainMayHelp(error);
  const message = failureWords(error, fallbackMessage);
  return (
    <Alert color="red" title={title} role="alert" variant="light">
      <Stack gap="xs">
        <Text size="sm">{message}</Text>
        {details.map((detail) => (
          <Text size="sm" key={detail}>
            {detail}
          </Text>
        ))}
        <ErrorReference error={error} />
        {retryable && (
          <Button size="xs" variant="default" onClick={onRetry} w="fit-content">
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
