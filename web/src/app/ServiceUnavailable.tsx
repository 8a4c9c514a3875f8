import { Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { waitInWords } from '../api/errors';
import { ErrorState } from '../components/ErrorState';
import { unavailableWords } from './session-restore';

/**
 * The service could not answer while the session was being restored (an outage of the database or Redis, the
 * server restarting), or answered that requests are limited for now (429): said so, with the error's code and
 * request id, and asked again by itself and on demand. The session is not dropped: the page asked for comes
 * back once the service answers.
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
  const words = unavailableWords(error, retryInMs);
  useEffect(() => {
    document.title = `${words.pageTitle} · YMERA`;
  }, [words.pageTitle]);
  return (
    <main className="centered-page">
      <Stack maw={520} w="100%">
        <Title order={1} size="h2">
          {words.heading}
        </Title>
        <ErrorState
          title={words.title}
          error={error}
          fallbackMessage="The service did not answer: the network is down or the server is restarting."
          onRetry={retrying ? undefined : onRetry}
        />
        <Text size="sm" role="status">
          {retrying
            ? 'Trying again…'
            : `You have not been signed out: this page comes back once ${words.until}. Trying again in ${waitInWords(Math.ceil(retryInMs / 1000))}.`}
        </Text>
      </Stack>
    </main>
  );
}
