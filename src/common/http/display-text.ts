import { ValidateBy } from 'class-validator';

/**
 * What a name shown to people may not hold: control characters (C0, DEL, C1) and the line and paragraph separators
 * (U+2028, U+2029), with which a name can forge a log line or a header; the bidirectional marks, overrides and
 * isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which make text display as other text
 * ("invoice‮fdp.exe"); and the other characters Unicode marks as ignorable in display (Default_Ignorable_Code_Point:
 * the zero-width space, word joiner, byte order mark, soft hyphen, Hangul fillers, invisible operators, …), which
 * make two names that look alike differ, or a name that looks empty. Kept, as text in some scripts and emoji needs
 * them: the zero-width non-joiner and joiner (U+200C, U+200D), the variation selectors (U+FE00–U+FE0F,
 * U+E0100–U+E01EF) and Mongolian's (U+180B–U+180D, U+180F; not the vowel separator U+180E), and tag characters in an emoji tag sequence (after U+1F3F4, or another tag).
 */
const HIDDEN =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- the characters it lists are what it looks for, one by one
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|(?![\u200c\u200d\ufe00-\ufe0f\u180b-\u180d\u180f\u{e0100}-\u{e01ef}\u{e0020}-\u{e007f}])[\p{Default_Ignorable_Code_Point}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|(?<![\u{1f3f4}\u{e0020}-\u{e007e}])[\u{e0020}-\u{e007f}]/u;

const DISPLAY_TEXT_RULE = 'must not contain control characters, bidirectional controls or invisible characters';

/** In a description, lines and tabs are text: the rest of {@link HIDDEN} is not. */
const LINE_BREAKS_AND_TABS = /[\n\r\t]/g;

/** Nothing but spaces (of any kind): a name that shows as nothing. */
const blank = (value: unknown): boolean => typeof value === 'string' && value.length > 0 && value.trim() === '';

/**
 * A name shown to people (a workflow's, a user's, a file's): no character that hides or disguises text, and not
 * spaces alone. (An empty one is the length check's to refuse.)
 */
export function IsDisplayText(): PropertyDecorator {
  return ValidateBy({
    name: 'isDisplayText',
    validator: {
      validate: (value) => typeof value !== 'string' || (!HIDDEN.test(value) && !blank(value)),
      defaultMessage: (args) => (blank(args?.value) ? 'must not be only spaces' : DISPLAY_TEXT_RULE),
    },
  });
}

/**
 * A description shown to people (an agent's, a workflow's): as a name, but lines and tabs are allowed, and so is
 * an empty or blank one (a description may say nothing).
 */
export function IsDisplayDescription(): PropertyDecorator {
  return ValidateBy({
    name: 'isDisplayDescription',
    validator: {
      validate: (value) => typeof value !== 'string' || !HIDDEN.test(value.replace(LINE_BREAKS_AND_TABS, ' ')),
      defaultMessage: () => DISPLAY_TEXT_RULE,
    },
  });
}
