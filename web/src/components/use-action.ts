import { useState } from 'react';
import { errorMessage } from '../api/errors';
import { useSingleFlight } from './use-single-flight';

/**
 * A button's action that is under way (`busy`) or failed (`failure`, the error's message), for actions that
 * do not ask first (those that do use ConfirmButton). A second click while it is under way does nothing.
 */
export function useAction(fallback = 'The change failed') {
  const flight = useSingleFlight();
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>): Promise<void> => {
    await flight.run(async () => {
      setFailure(null);
      try {
        await action();
      } catch (err) {
        setFailure(errorMessage(err, fallback));
      }
    });
  };
  return { busy: flight.busy, failure, run };
}
