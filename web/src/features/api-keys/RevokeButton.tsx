import { Checkbox } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ConfirmButton } from '../../components/ConfirmButton';
import { offersKeepRunning, revocationText } from './revocation-text';
import type { ApiKey } from './scopes';

/**
 * Revokes a key after asking. What the key set running (the schedules, webhooks and workflow triggers it created
 * or last changed) stops with it, as after a leak, unless the user keeps it running (a rotation); the dialog
 * counts them, asked again each time it opens, and offers the choice only when there is something to keep.
 */
export function RevokeButton({
  apiKey,
  onRevoke,
  focusWhenGone,
}: {
  apiKey: ApiKey;
  onRevoke: (keepRunning: boolean) => Promise<void>;
  /** Where focus goes once the key's row, and this button with it, has left the list. */
  focusWhenGone: () => HTMLElement | null | undefined;
}) {
  const [keepRunning, setKeepRunning] = useState(false);
  const [opened, setOpened] = useState(false);
  const counts = useQuery({
    queryKey: [...queryKeys.apiKeys.all, 'revocation', apiKey.id],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/api-keys/{id}/revocation', { params: { path: { id: apiKey.id } } })),
    enabled: opened,
    staleTime: 0,
    retry: false,
  });
  // Nothing to keep running: the choice is not offered.
  const offered = offersKeepRunning(counts.data);
  const keeps = offered && keepRunning;
  return (
    <ConfirmButton
      label={`Revoke ${apiKey.name}`}
      buttonText="Revoke"
      consequence={`The key “${apiKey.name}” (${apiKey.prefix}…) stops working at once: anything that still sends it gets 401. ${revocationText(counts.data, keeps)} This cannot be undone.`}
      onOpen={() => {
        setKeepRunning(false);
        if (opened) void counts.refetch();
        else setOpened(true);
      }}
      options={(busy) =>
        offered && (
          <Checkbox
            mb="md"
            label="Keep its schedules, webhooks and workflow triggers running (when replacing the key with a new one)"
            checked={keepRunning}
            disabled={busy}
            onChange={(event) => setKeepRunning(event.currentTarget.checked)}
          />
        )
      }
      confirmLabel="Revoke the key"
      onConfirm={() => onRevoke(keeps)}
      focusWhenGone={focusWhenGone}
      size="xs"
    />
  );
}
