import { type FormEvent, useState } from 'react';
import type { ApiError } from '../api/errors';
import { type DialogFailure, type FieldErrors, NO_FIELD_ERRORS, dialogRefusal } from './dialog-refusal';
import { useFocusMarkedField } from './focus-marked-field';
import { useSingleFlight } from './use-single-flight';

export type { DialogFailure, FieldErrors } from './dialog-refusal';

/**
 * A dialog form's submit: `check` first (a refusal on a field stops it before anything is sent), then `send`;
 * a refusal from the server lands on the fields its `details` name (`fieldsOf`), and what names none, or any
 * other failure, becomes the dialog's failure line (`fallback` when it has no message), with its error code and
 * request id (see {@link dialogRefusal}). Either way, a refusal on fields focuses the first field it marks. A
 * submit while one is under way (a double click) sends nothing more.
 */
export function useDialogSubmit<F extends string>({
  check,
  send,
  fieldsOf,
  fallback,
}: {
  check: () => FieldErrors<F>;
  send: () => Promise<void>;
  fieldsOf: (details: ApiError['details']) => FieldErrors<F>;
  fallback: string;
}) {
  const [errors, setErrors] = useState<FieldErrors<F>>(NO_FIELD_ERRORS);
  const [failure, setFailure] = useState<DialogFailure | null>(null);
  const flight = useSingleFlight();
  // The watch of the last refusal's focus: stopped by the next submit, and when the dialog closes.
  const marked = useFocusMarkedField();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    marked.stop();
    const form = event.currentTarget instanceof HTMLElement ? event.currentTarget : null;
    const focusMarked = () => marked.focus(() => form);
    setFailure(null);
    const local = check();
    if (Object.keys(local.fields).length > 0) {
      setErrors(local);
      focusMarked();
      return;
    }
    setErrors(NO_FIELD_ERRORS);
    await flight.run(async () => {
      try {
        await send();
      } catch (err) {
        const refused = dialogRefusal(err, fieldsOf, fallback);
        setErrors(refused.errors);
        setFailure(refused.failure);
        if (Object.keys(refused.errors.fields).length > 0) focusMarked();
      }
    });
  };

  return { errors, failure, busy: flight.busy, submit };
}
