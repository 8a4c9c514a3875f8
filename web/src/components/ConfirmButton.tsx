import { Button, type ButtonProps, Group, Modal, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';

interface ConfirmButtonProps extends Omit<ButtonProps, 'onClick'> {
  /** The button's words, e.g. "Cancel task". */
  label: string;
  /** What will happen, in a sentence: "Task 4f2… stops and is not retried." */
  consequence: string;
  /** The confirming button's words, e.g. "Cancel the task". */
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  /** When set, the action is not allowed: the button is disabled and this says why. */
  disabledReason?: string;
}

/** A destructive action: asks once, names what it will do, shows the result or the error. */
export function ConfirmButton({
  label,
  consequence,
  confirmLabel,
  onConfirm,
  disabledReason,
  ...props
}: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (disabledReason) {
    return (
      <Tooltip label={disabledReason}>
        <Button
          color="red"
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
      <Button color="red" variant="light" {...props} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={label} centered>
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
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
