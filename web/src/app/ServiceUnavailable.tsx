import { Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { waitInWords } from '../api/errors';
import { ErrorState } from '../components/ErrorState';

/**
 * The service could not answer while the session was being restored (an outage of the database or Redis, the
 * server restarting): said so, with the error's code and request id, and asked again by itself and on demand.
 * The session is not dropped: the page asked for comes back once the service answers.
 */
export function ServiceUnavailable({
  error,
  retryInMs,
  retrying,
  onRetry,
}: {
  error: Error;
  retryInMs: number;
  retrying: boolean;
  onRetry: () => void;
}) {
  useEffect(() => {
    document.title = 'Unavailable · YMERA';
  }, []);
  return (
    <main className="centered-page">
      <Stack maw={520} w="100%">
        <Title order={1} size="h2">
          YMERA is unavailable
        </Title>
        <ErrorState
          title="The service could not be reached"
          error={error}
          fallbackMessage="The service did not answer: the network is down or the server is restarting."
          onRetry={retrying ? undefined : onRetry}
        />
        <Text size="sm" role="status">
          {retrying
            ? 'Trying again…'
            : `You have not been signed out: this page comes back once the service answers. Trying again in ${waitInWords(Math.ceil(retryInMs / 1000))}.`}
        </Text>
      </Stack>
    </main>
  );
}
