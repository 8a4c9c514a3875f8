import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../api/errors';
import { useSingleFlight } from './use-single-flight';

/** A form's refusals: each on the field it names, and those that name no field of the form. */
export interface FieldErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  other: string[];
}

const NO_ERRORS = { fields: {}, other: [] };

/**
 * A dialog form's submit: `check` first (a refusal on a field stops it before anything is sent), then `send`;
 * a refusal from the server lands on the fields its `details` name (`fieldsOf`), and what names none, or any
 * other failure, becomes the dialog's failure line (`fallback` when it has no message). A submit while one is
 * under way (a double click) sends nothing more.
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
  const [errors, setErrors] = useState<FieldErrors<F>>(NO_ERRORS);
  const [failure, setFailure] = useState<string | null>(null);
  const flight = useSingleFlight();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const local = check();
    if (Object.keys(local.fields).length > 0) {
      setErrors(local);
      return;
    }
    setErrors(NO_ERRORS);
    await flight.run(async () => {
      try {
        await send();
      } catch (err) {
        if (err instanceof ApiError && err.details.length) {
          const found = fieldsOf(err.details);
          setErrors(found);
          if (found.other.length) setFailure(`${err.message}: ${found.other.join('; ')}`);
        } else {
          setFailure(errorMessage(err, fallback));
        }
      }
    });
  };

  return { errors, failure, busy: flight.busy, submit };
}
