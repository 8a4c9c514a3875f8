import { ValidateBy } from 'class-validator';
import { HIDDEN } from './hidden-characters';

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
