import { ValidateBy } from 'class-validator';

/**
 * What a name shown to people may not hold: control characters (C0, DEL, C1) and the line and paragraph separators
 * (U+2028, U+2029), with which a name can forge a log line or a header; the bidirectional marks, overrides and
 * isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which make text display as other text
 * ("invoice‮fdp.exe"); and the invisible zero-width space, word joiner and byte order mark (U+200B, U+2060, U+FEFF),
 * which make two names that look alike differ. The zero-width joiners some scripts and emoji need stay allowed.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/;

const DISPLAY_TEXT_RULE = 'must not contain control characters, bidirectional controls or invisible characters';

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
