import { Button, type ButtonProps, Group, Modal, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';

interface ConfirmActionProps extends Omit<ButtonProps, 'onClick'> {
  label: string;
  consequence: string;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  disabledReason?: string;
}

/**
 * An action that asks once, names what it will do and shows the error when it fails. The dialog does not lock
 * the page's scroll (that injects a `<style>` element, which the console's CSP refuses) and its close button
 * has a name.
 */
export function ConfirmAction({
  label,
  consequence,
  confirmLabel,
  onConfirm,
  disabledReason,
  color = 'red',
  ...props
}: ConfirmActionProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (disabledReason) {
    return (
      <Tooltip label={disabledReason}>
        <Button
          color={color}
          variant="light"
          {...props}
          data-disabled
          aria-disabled
          aria-label={`${label} (${disabledReason})`}
          onClick={(event) => event.preventDefault()}
        >
          {label}
        </Button>
      </Tooltip>
    );
  }
  return (
    <>
      <Button color={color} variant="light" {...props} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title={label}
        centered
        lockScroll={false}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Text mb="md">{consequence}</Text>
        {error && (
          <Text c="red.8" role="alert" mb="md">
            {error}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setOpen(false)}>
            Keep it
          </Button>
          <Button
            color={color}
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
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
