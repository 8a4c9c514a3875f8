import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';

/**
 * The end of a dialog's form: why it was not saved (a refusal no field holds, or a pointer to the fields
 * marked above), then Cancel and the submit button.
 */
export function FormFooter({
  notSaved,
  failure,
  hasFieldErrors,
  busy,
  submitLabel,
  submitDisabled = false,
  onCancel,
}: {
  /** "The schedule was not saved". */
  notSaved: string;
  failure: string | null;
  hasFieldErrors: boolean;
  busy: boolean;
  submitLabel: string;
  /** Nothing to send yet (e.g. a count still loading). */
  submitDisabled?: boolean;
  onCancel: () => void;
}) {
  return (
    <>
      {failure && (
        <Alert color="red" variant="light" title={notSaved} role="alert">
          {failure}
        </Alert>
      )}
      {hasFieldErrors && !failure && (
        <Text size="sm" c="red.8" role="alert">
          {notSaved}; see the fields marked above.
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel} disabled={busy}>
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
 * A form in a dialog, checked by the server (`noValidate`): Escape and the named close button close it; it does
 * not lock the page's scroll (that injects a `<style>` element, which the console's CSP refuses).
 */
export function FormDialog({
  title,
  onClose,
  onSubmit,
  children,
}: {
  title: string;
  onClose: () => void;
  onSubmit: (event: FormEvent) => Promise<void>;
  children: ReactNode;
}) {
  return (
    <Modal
      opened
      onClose={onClose}
      title={title}
      centered
      size="lg"
      lockScroll={false}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={(e) => void onSubmit(e)} noValidate aria-label={title}>
        <Stack>{children}</Stack>
      </form>
    </Modal>
  );
}
