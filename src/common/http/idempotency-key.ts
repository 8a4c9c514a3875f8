import { ApiHeader } from '@nestjs/swagger';
import { configure } from 'safe-stable-stringify';
import { ValidationFailedError } from '../errors/app.error';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** How long a key names what it made: a key older than this is released when it is used again. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
const canonicalJson = configure({ deterministic: true });

/**
 * Beginnings of the keys the platform's own submissions use for their owner (a schedule's fire, a hook's
 * delivery, a trigger's start, each task of a batch sent with a key): a client's key may not take one, so it can never stand for, or stand in the
 * way of, one of them.
 */
export const PLATFORM_KEY_PREFIXES: readonly string[] = ['schedule:', 'hook:', 'trigger:', 'batch:'];

/** The `Idempotency-Key` header of a route that creates something once per key (a task, a run), as documented. */
export const ApiIdempotencyKey = (): MethodDecorator =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1-255 visible ASCII characters, per user; not beginning with `schedule:`, `hook:` or `trigger:`',
  });

/**
 * A client's `Idempotency-Key` header, checked: 1-255 visible ASCII characters, none of the platform's own
 * beginnings. Absent stays undefined; anything else is a 400 naming the header.
 */
export function checkedIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header))
    throw new ValidationFailedError([{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }]);
  if (PLATFORM_KEY_PREFIXES.some((prefix) => header.startsWith(prefix)))
    throw new ValidationFailedError([
      {
        field: 'Idempotency-Key',
        message: `must not begin with ${PLATFORM_KEY_PREFIXES.join(', ')} (kept for the platform)`,
      },
    ]);
  return header;
}

/**
 * Whether a request asks for what an earlier one with its key did: equal as JSON whatever the order of their
 * objects' keys (what was stored as jsonb comes back with its keys reordered).
 */
export function sameRequest(asked: unknown, earlier: unknown): boolean {
  return canonicalJson(asked) === canonicalJson(earlier);
}
