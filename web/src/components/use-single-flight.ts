import type { UseMutationResult } from '@tanstack/react-query';
import { useState } from 'react';
import { type SingleFlight, singleFlight } from './single-flight';

/**
 * A component's actions, one at a time ({@link singleFlight}): `run` starts one unless one is under way, and
 * `busy` says one is (for the button's `loading`).
 */
export function useSingleFlight(): { busy: boolean; run: SingleFlight['run'] } {
  const [flight] = useState(singleFlight);
  const [busy, setBusy] = useState(false);
  const run: SingleFlight['run'] = (action) =>
    flight.run(async () => {
      setBusy(true);
      try {
        return await action();
      } finally {
        setBusy(false);
      }
    });
  return { busy, run };
}

/**
 * A form's mutation, sent once per submit: `send` while it is under way sends nothing more, even before the
 * mutation's own `isPending` has reached the page. Its result and error stay the mutation's (`data`, `error`,
 * `reset`); `busy` is for the submit button's `loading`.
 */
export function useSendOnce<TData, TVariables>(
  mutation: UseMutationResult<TData, Error, TVariables>,
): { busy: boolean; send: (variables: TVariables) => void } {
  const { busy, run } = useSingleFlight();
  return {
    busy: busy || mutation.isPending,
    // The error is the mutation's to show (`mutation.error`): nothing more to do with it here.
    send: (variables) => void run(() => mutation.mutateAsync(variables).catch(() => undefined)),
  };
}
