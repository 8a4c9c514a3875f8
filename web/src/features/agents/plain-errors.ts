import type { RJSFValidationError } from '@rjsf/utils';

/**
 * The schema forms' errors in plain words. The checks word their errors as the server's validator does ("is
 * required", "must be >= 0"); a form shows them as a person would say them ("Enter a value", "Must be at least
 * 0"), each field once: a URL's format and its pattern are one message.
 */

const TYPES: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'empty',
};

const FORMATS: Record<string, string> = {
  uri: 'Must be a URL, such as https://example.com',
  'uri-reference': 'Must be a URL or a path',
  url: 'Must be a URL, such as https://example.com',
  uuid: 'Must be an id (a UUID)',
  email: 'Must be an email address',
  'date-time': 'Must be a date and time, such as 2026-12-06T09:00:00Z',
  date: 'Must be a date, such as 2026-12-06',
  time: 'Must be a time, such as 09:00:00Z',
  hostname: 'Must be a host name',
  ipv4: 'Must be an IPv4 address',
  ipv6: 'Must be an IPv6 address',
};

/** A pattern that asks for an http or https address (`^https?://`, either case). */
const HTTP_PATTERN = /^\^(?:https\?|\[Hh\]\[Tt\]\[Tt\]\[Pp\]\[Ss\]\?):\/\/$/;
export const HTTP_URL = 'Must be a URL starting with http:// or https://';

const plural = (n: string, one: string, many: string) => `${n} ${n === '1' ? one : many}`;

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One message of the checks, in plain words; a message the checks did not word (a schema's own) is kept. */
export function plainMessage(message: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^name (.+)$/s.exec(message)))
    return `The name: ${plainMessage(m[1]).replace(/^./, (c) => c.toLowerCase())}`;
  if (message === 'is required') return 'Enter a value';
  if (message === 'is not valid JSON') return 'Not valid JSON: check the quotes, commas and brackets';
  if (message === 'is not allowed') return 'Not allowed here';
  if ((m = /^must be (>=|<=|>|<) (.+)$/.exec(message))) {
    const words = { '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' }[m[1]];
    return `Must be ${words} ${m[2]}`;
  }
  if ((m = /^must be ([a-z]+(?:,[a-z]+)*)$/.exec(message)) && m[1].split(',').every((t) => t in TYPES)) {
    return `Must be ${m[1]
      .split(',')
      .map((t) => TYPES[t])
      .join(' or ')}`;
  }
  if ((m = /^must NOT have (fewer|more) than (\d+) (characters|items|properties)$/.exec(message))) {
    const [, side, n, of] = m;
    if (side === 'fewer' && n === '1' && of === 'characters') return 'Enter a value';
    const what = {
      characters: ['character', 'characters'],
      items: ['item', 'items'],
      properties: ['entry', 'entries'],
    }[of as 'characters'];
    const counted = plural(n, what[0], what[1]);
    return of === 'characters'
      ? `Must be ${side === 'fewer' ? 'at least' : 'at most'} ${counted} long`
      : `Must have ${side === 'fewer' ? 'at least' : 'at most'} ${counted}`;
  }
  if ((m = /^must match format "(.+)"$/.exec(message))) return FORMATS[m[1]] ?? `Must be a valid ${m[1]}`;
  if ((m = /^must match pattern "(.*)"$/s.exec(message))) {
    return HTTP_PATTERN.test(m[1]) ? HTTP_URL : `Not in the expected form (the pattern ${m[1]})`;
  }
  if ((m = /^must be multiple of (.+)$/.exec(message))) return `Must be a multiple of ${m[1]}`;
  if (message === 'must be equal to one of the allowed values') return 'Choose one of the allowed values';
  if (message === 'must be equal to constant') return 'Must be the one allowed value';
  if (message === 'must NOT have duplicate items') return 'Each item must be different';
  if (message === 'must NOT be valid') return 'This value is not allowed';
  if (/^must match (exactly one|a) schema in (oneOf|anyOf)$/.test(message)) return 'Does not fit any of the choices';
  return sentence(message);
}

const isShapeRule = (message: string) => /^(?:name )?must match (?:format|pattern) "/.test(message);

/**
 * rjsf's `transformErrors`: every error in plain words, in the same place. A field's format and pattern errors (a
 * URL that is neither a URI nor starts with http:// or https://) are one message, the URL's when either asks
 * for one; a message a field already has is not repeated.
 */
export function plainErrors<E extends RJSFValidationError>(errors: E[]): E[] {
  const byField = new Map<string, E[]>();
  for (const error of errors) {
    const key = error.property ?? '';
    byField.set(key, [...(byField.get(key) ?? []), error]);
  }
  const out: E[] = [];
  for (const fieldErrors of byField.values()) {
    const shape = fieldErrors.filter((e) => isShapeRule(e.message ?? ''));
    const words = shape.map((e) => plainMessage(e.message ?? ''));
    const shapeMessage = words.includes(HTTP_URL) ? HTTP_URL : (words.find((w) => w === FORMATS.uri) ?? words[0]);
    const seen = new Set<string>();
    for (const error of fieldErrors) {
      const message = isShapeRule(error.message ?? '') ? shapeMessage : plainMessage(error.message ?? '');
      if (seen.has(message)) continue;
      seen.add(message);
      out.push({ ...error, message, stack: `${error.property ?? ''} ${message}`.trim() });
    }
  }
  return out;
}
