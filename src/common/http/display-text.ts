import { ValidateBy } from 'class-validator';

/**
 * What a name shown to people may not hold: control characters (C0, DEL, C1: a line break in a name can forge a
 * log line or a header) and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make text
 * display as other text ("invoice‮fdp.exe").
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export const DISPLAY_TEXT_RULE = 'must not contain control characters or bidirectional overrides';

/** A name shown to people (a workflow's, a user's, a file's): no character that hides or disguises text. */
export function IsDisplayText(): PropertyDecorator {
  return ValidateBy({
    name: 'isDisplayText',
    validator: {
      validate: (value) => typeof value !== 'string' || !HIDDEN.test(value),
      defaultMessage: () => DISPLAY_TEXT_RULE,
    },
  });
}
