import { useState } from 'react';

/**
 * A button's action that is under way (`busy`) or failed (`failure`, the error's message), for actions that
 * do not ask first (those that do use ConfirmButton).
 */
export function useAction(fallback = 'The change failed') {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setFailure(null);
    try {
      await action();
    } catch (err) {
      setFailure(err instanceof Error ? err.message : fallback);
    } finally {
      setBusy(false);
    }
  };
  return { busy, failure, run };
}
