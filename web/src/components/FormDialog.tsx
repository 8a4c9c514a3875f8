import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { type FormEvent, type ReactNode, createContext, use, useEffect, useRef } from 'react';
import type { DialogFailure } from './dialog-refusal';
import { ErrorReference } from './ErrorState';
import { useGuardedClose } from './UnsavedChanges';

/** How the dialog around a form closes: its Cancel button closes it the way Escape does. */
const DialogClose = createContext<(() => void) | null>(null);

/**
 * The end of a dialog's form: why it was not saved (a refusal no field holds, with its error code and request id
 * as the pages show them, or a pointer to the fields marked above), then Cancel (which closes the
 * {@link FormDialog} around it, asking first when it holds unsaved input) and the submit button.
 */
export function FormFooter({
  notSaved,
  failure,
  hasFieldErrors,
  busy,
  submitLabel,
  submitDisabled = false,
}: {
  /** "The schedule was not saved". */
  notSaved: string;
  failure: DialogFailure | null;
  hasFieldErrors: boolean;
  busy: boolean;
  submitLabel: string;
  /** Nothing to send yet (e.g. a count still loading). */
  submitDisabled?: boolean;
}) {
  const close = use(DialogClose);
  if (!close) throw new Error('FormFooter belongs in a FormDialog');
  return (
    <>
      {failure && (
        <Alert color="red" variant="light" title={notSaved} role="alert">
          <Stack gap="xs">
            <Text size="sm">{failure.message}</Text>
            <ErrorReference error={failure.error} />
          </Stack>
        </Alert>
      )}
      {hasFieldErrors && !failure && (
        <Text size="sm" c="red.8" role="alert">
          {notSaved}; see the fields marked above.
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={close} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" loading={busy} disabled={submitDisabled}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}

/**
 * A form in a dialog, checked by the server (`noValidate`): Escape, the named close button, Cancel and a click
 * outside close it; while it holds unsaved input (`unsaved` names it, e.g. "The new schedule"), they first ask
 * whether to discard it, and leaving or reloading the page asks too. It does not lock the page's scroll (that
 * injects a `<style>` element, which the console's CSP refuses).
 */
export function FormDialog({
  title,
  unsaved = null,
  onClose,
  onSubmit,
  children,
}: {
  title: string;
  unsaved?: string | null;
  onClose: () => void;
  onSubmit: (event: FormEvent) => Promise<void>;
  children: ReactNode;
}) {
  const { close, asking, prompt } = useGuardedClose(onClose, unsaved);
  // "Keep editing" puts the focus back where it was when the question was asked, once the dialog has taken it
  // back (its focus trap, re-armed, focuses the first field on a timer set before this one).
  const focusedBeforeAsking = useRef<Element | null>(null);
  useEffect(() => {
    if (asking) return;
    const element = focusedBeforeAsking.current;
    focusedBeforeAsking.current = null;
    if (!(element instanceof HTMLElement)) return;
    const timer = setTimeout(() => element.focus());
    return () => clearTimeout(timer);
  }, [asking]);
  const requestClose = () => {
    if (unsaved !== null) focusedBeforeAsking.current = document.activeElement;
    close();
  };

  return (
    <DialogClose value={requestClose}>
      <Modal
        opened
        onClose={requestClose}
        title={title}
        centered
        size="lg"
        lockScroll={false}
        // While the question is open, Escape and the focus are its own.
        closeOnEscape={!asking}
        trapFocus={!asking}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <form onSubmit={(e) => void onSubmit(e)} noValidate aria-label={title}>
          <Stack>{children}</Stack>
        </form>
      </Modal>
      {prompt}
    </DialogClose>
  );
}
