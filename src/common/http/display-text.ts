import { ValidateBy } from 'class-validator';
import { HIDDEN } from './hidden-characters';

const DISPLAY_TEXT_RULE = 'must not contain control characters, bidirectional controls or invisible characters';

/** In a description, lines and tabs are text: the rest of {@link HIDDEN} is not. */
const LINE_BREAKS_AND_TABS = /[\n\r\t]/g;

/** Nothing but spaces (of any kind): a name that shows as nothing. */
const blank = (value: unknown): boolean => typeof value === 'string' && value.length > 0 && value.trim() === '';

/**
 * Nothing that shows: spaces, and what {@link HIDDEN} keeps for the text around it (joiners, variation and
 * free variation selectors, tag characters) or what marks another character (non-spacing combining marks), with nothing to
 * join or mark; and the Braille pattern blank, a letter that shows as a space.
 */
// eslint-disable-next-line no-misleading-character-class -- the characters it lists are what it looks for, one by one
const SHOWS_NOTHING = /^[\s\p{Mn}\u200c\u200d\u180b-\u180d\u180f\u2800\u{e0020}-\u{e007f}]+$/u;
const invisible = (value: unknown): boolean => typeof value === 'string' && SHOWS_NOTHING.test(value);

/**
 * A name shown to people (a workflow's, a user's, a file's): no character that hides or disguises text, and not
 * spaces alone, nor anything else that shows nothing (see {@link SHOWS_NOTHING}). (An empty one is the length check's to refuse.)
 */
export function IsDisplayText(): PropertyDecorator {
  return ValidateBy({
    name: 'isDisplayText',
    validator: {
      validate: (value) => typeof value !== 'string' || (!HIDDEN.test(value) && !invisible(value)),
      defaultMessage: (args) =>
        blank(args?.value)
          ? 'must not be only spaces'
          : invisible(args?.value)
            ? 'must have a character that shows: joiners, selectors and combining marks alone show nothing'
            : DISPLAY_TEXT_RULE,
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
