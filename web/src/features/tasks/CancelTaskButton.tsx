import { Button, Group, Modal, Text } from '@mantine/core';
import { useState } from 'react';

/**
 * Asks once before cancelling, names what happens, shows the error if it fails. Its dialog locks no scroll
 * (that injects a style element, which the console's CSP refuses) and its close button has a name.
 */
export function CancelTaskButton({
  consequence,
  onConfirm,
}: {
  consequence: string;
  onConfirm: () => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Button color="red" variant="light" onClick={() => setOpen(true)}>
        Cancel
      </Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title="Cancel"
        centered
        lockScroll={false}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Text mb="md">{consequence}</Text>
        {error && (
          <Text c="red" role="alert" mb="md">
            {error}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setOpen(false)}>
            Keep it
          </Button>
          <Button
            color="red"
            loading={busy}
            onClick={() => {
              setBusy(true);
              setError(null);
              onConfirm()
                .then(() => setOpen(false))
                .catch((err: unknown) => setError(err instanceof Error ? err.message : 'The action failed'))
                .finally(() => setBusy(false));
            }}
          >
            Cancel the task
          </Button>
        </Group>
      </Modal>
    </>
  );
}
