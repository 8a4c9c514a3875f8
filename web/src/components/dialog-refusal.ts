import { ApiError, errorMessage } from '../api/errors';

/** A form's refusals: each on the field it names, and those that name no field of the form. */
export interface FieldErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  other: string[];
}

/**
 * Why a dialog's form was not saved, said under it: the words, and the failure itself, whose error code and
 * request id are shown with them when the server answered.
 */
export interface DialogFailure {
  message: string;
  error?: unknown;
}

export const NO_FIELD_ERRORS: FieldErrors<never> = { fields: {}, other: [] };

/**
 * A failed submit of a dialog's form: a refusal with `details` lands on the fields they name (`fieldsOf`), and
 * what names none becomes the dialog's failure after the refusal's message; any other failure is the dialog's
 * failure (`fallback` when it has no message). The failure keeps the error, for its code and request id.
 */
export function dialogRefusal<F extends string>(
  error: unknown,
  fieldsOf: (details: ApiError['details']) => FieldErrors<F>,
  fallback: string,
): { errors: FieldErrors<F>; failure: DialogFailure | null } {
  if (error instanceof ApiError && error.details.length) {
    const found = fieldsOf(error.details);
    return {
      errors: found,
      failure: found.other.length ? { message: `${error.message}: ${found.other.join('; ')}`, error } : null,
    };
  }
  return { errors: NO_FIELD_ERRORS, failure: { message: errorMessage(error, fallback), error } };
}
