import bytes from 'bytes';
import { ValidateBy } from 'class-validator';
import { BYTE_SIZE } from './env-parsers';

/** Rules of single settings' values that {@link EnvSchema} applies, beyond a pattern or a range. */

const decodes = (text: string): boolean => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

/** The parts of a connection URL the Postgres and Redis clients percent-decode, in the order they are checked. */
const URL_PARTS = ['user', 'password', 'host', 'path'] as const;
export type UrlPart = (typeof URL_PARTS)[number];

/**
 * The part of a connection URL (`scheme://user:password@host:port/path?query`) where a `%` begins no escape of
 * UTF-8 bytes (`%zz`, `%ff`, a `%` at the end), or undefined when there is none. The clients decode those parts as
 * they connect and throw a bare "URI malformed" on such a `%`, after a database may already have been created.
 * Read as the WHATWG URL parser reads it (the authority ends at the first `/`, `?` or `#`, the user information at
 * its last `@`), and without it, so that a `redis+cluster://` URL listing several nodes is read as well.
 */
export function malformedEscapeIn(url: string): UrlPart | undefined {
  const rest = url.replace(/^[^:/?#]*:\/\//, '');
  const end = rest.search(/[/?#]|$/);
  const authority = rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  const [user, ...password] = authority.slice(0, Math.max(at, 0)).split(':');
  const parts: Record<UrlPart, string> = {
    user,
    password: password.join(':'),
    host: authority.slice(at + 1),
    path: rest.slice(end).replace(/[?#][\s\S]*$/, ''),
  };
  return URL_PARTS.find((part) => !decodes(parts[part]));
}

/**
 * A connection URL in which every `%` begins an escape (see {@link malformedEscapeIn}). The message names the part
 * and shows none of the URL, which may hold a password.
 */
export function EscapesDecode(): PropertyDecorator {
  return ValidateBy({
    name: 'escapesDecode',
    validator: {
      validate: (value) => typeof value !== 'string' || !malformedEscapeIn(value),
      defaultMessage: (args) =>
        `has a "%" in its ${malformedEscapeIn(String(args?.value))} that begins no escape of UTF-8 bytes (%XX): ` +
        'write a "%" of the value itself as %25',
    },
  });
}

/** The least a byte-size limit takes: a login's body (an e-mail address and a password) fits well under it. */
export const MIN_LIMIT = '1kb';

/** What a body limit under {@link MIN_LIMIT} would do. */
export const REFUSES_BODIES = 'a smaller limit refuses every request with a body (413), a login too';

/**
 * A byte size (`1mb`, `512kb`, `1048576`) of {@link MIN_LIMIT} at least; `examples` are shown for a value that is
 * no size, `smaller` says what a smaller one would do.
 */
export function ByteLimit(examples: string, smaller: string): PropertyDecorator {
  return ValidateBy({
    name: 'byteLimit',
    validator: {
      validate: (value) =>
        typeof value === 'string' && BYTE_SIZE.test(value) && (bytes.parse(value) ?? 0) >= bytes.parse(MIN_LIMIT)!,
      defaultMessage: (args) =>
        BYTE_SIZE.test(String(args?.value))
          ? `must be at least ${MIN_LIMIT}: ${smaller}`
          : `must be a size such as ${examples}`,
    },
  });
}
