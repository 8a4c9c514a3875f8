import { Button, type ButtonProps, Group, Modal, Text } from '@mantine/core';
import { type ReactNode, useRef, useState } from 'react';
import { errorMessage } from '../api/errors';
import { DisabledButton } from './DisabledButton';
import { keepFocusAfter } from './keep-focus';
import { useSingleFlight } from './use-single-flight';

interface ConfirmButtonProps extends Omit<ButtonProps, 'onClick'> {
  /** The button's name and the dialog's title, e.g. "Delete schedule Nightly report". */
  label: string;
  /** Shorter words to show on the button ("Delete") where the row around it names the item; `label` stays its name. */
  buttonText?: string;
  /** What will happen, in a sentence: "Task 4f2… stops and is not retried." */
  consequence: string;
  /** Choices that go with the action (a checkbox), shown under the consequence; `busy` while it is under way. */
  options?: (busy: boolean) => ReactNode;
  /** Called as the dialog opens: choices start afresh each time. */
  onOpen?: () => void;
  /** The confirming button's words, e.g. "Cancel the task". */
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  /** When set, the action is not allowed: the button is disabled and this says why. */
  disabledReason?: string;
  /**
   * Where focus goes when the action takes this button away (a task's Cancel once the task is cancelled): the
   * button that replaces it, or the message saying what happened. Without it focus would fall to the page.
   */
  focusWhenGone?: () => HTMLElement | null | undefined;
}

/**
 * An action that asks once, names what it will do and shows the error when it fails. The dialog does not lock
 * the page's scroll (that injects a `<style>` element, which the console's CSP refuses) and its close button
 * has a name.
 */
export function ConfirmButton({
  label,
  consequence,
  confirmLabel,
  onConfirm,
  disabledReason,
  buttonText,
  options,
  onOpen,
  focusWhenGone,
  color = 'red',
  ...props
}: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const { busy, run } = useSingleFlight();
  const [error, setError] = useState<string | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);

  if (disabledReason)
    return (
      <DisabledButton
        color={color}
        variant="light"
        {...props}
        label={buttonText ?? label}
        name={buttonText ? label : undefined}
        reason={disabledReason}
      />
    );
  return (
    <>
      <Button
        ref={trigger}
        color={color}
        variant="light"
        {...props}
        aria-label={buttonText ? label : undefined}
        onClick={() => {
          onOpen?.();
          setError(null);
          setOpen(true);
        }}
      >
        {buttonText ?? label}
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
        {options?.(busy)}
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
            onClick={() =>
              void run(async () => {
                setError(null);
                try {
                  await onConfirm();
                  setOpen(false);
                  if (focusWhenGone) keepFocusAfter(() => trigger.current, focusWhenGone);
                } catch (err) {
                  setError(errorMessage(err, 'The action failed'));
                }
              })
            }
          >
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
