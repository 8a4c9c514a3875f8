import { Alert, Button, Code, Stack, Text } from '@mantine/core';
import { ApiError, errorMessage } from '../api/errors';

/**
 * A failed request in words, with the error code and request id an operator can search the logs for. "Try
 * again" is offered when asking again may help: no answer at all, a timeout, a rate limit or a server-side
 * failure. A refusal of the request itself (400, 403, 404, 409, …) would only be refused again.
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
  const apiError = error instanceof ApiError ? error : null;
  const status = apiError?.status;
  const retryable = onRetry && (status === undefined || status >= 500 || status === 408 || status === 429);
  const message = apiError?.message ?? fallbackMessage ?? errorMessage(error);
  return (
    <Alert color="red" title={title} role="alert" variant="light">
      <Stack gap="xs">
        <Text size="sm">{message}</Text>
        {details.map((detail) => (
          <Text size="sm" key={detail}>
            {detail}
          </Text>
        ))}
        {apiError && (
          <Text size="xs">
            Code <Code>{apiError.code}</Code>
            {apiError.requestId && (
              <>
                {' '}
                · request <Code>{apiError.requestId}</Code>
              </>
            )}
          </Text>
        )}
        {retryable && (
          <Button size="xs" variant="default" onClick={onRetry} w="fit-content">
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
