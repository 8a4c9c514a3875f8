/**
 * What Postgres refuses in text and jsonb: the NUL character, and UTF-16 surrogates that are not part of a
 * pair (JavaScript strings may hold both; a remote answer such as `"\u0000"` or `"\ud800"` produces them).
 */
// eslint-disable-next-line no-control-regex -- NUL is what this matches
const REFUSED = /\u0000|\p{Surrogate}/gu;
/** A cheap first look: any NUL or surrogate unit at all (paired surrogates pass the precise test above). */
// eslint-disable-next-line no-control-regex -- as above
const SUSPECT = /[\u0000\ud800-\udfff]/;

/**
 * Each refused character is replaced by U+FFFD, the replacement character, rather than removed: the value
 * keeps its length and shape, neighbouring text is not silently joined, and a reader sees where something
 * was (as UTF-8 decoders and `String.prototype.toWellFormed` do for what they cannot represent).
 */
export const REPLACEMENT = '\uFFFD';

/** The text with every character Postgres refuses replaced by {@link REPLACEMENT}. */
export function storableText(text: string): string {
  return SUSPECT.test(text) ? text.replace(REFUSED, REPLACEMENT) : text;
}

/** The value could not be turned into something Postgres stores (a BigInt, a cycle, too deep). */
export class NotStorableError extends Error {
  constructor(readonly reason: string) {
    super(`The value cannot be stored: ${reason}`);
    this.name = 'NotStorableError';
  }
}

function clean(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'string') return storableText(value);
  if (typeof value === 'bigint') throw new NotStorableError('a BigInt has no JSON form');
  if (value === null || typeof value !== 'object') return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return clean((toJSON as () => unknown).call(value), seen);
  if (seen.has(value)) throw new NotStorableError('the value refers to itself');
  seen.add(value);
  try {
    return Array.isArray(value) ? cleanArray(value, seen) : cleanObject(value as Record<string, unknown>, seen);
  } finally {
    seen.delete(value);
  }
}

/** The array, or a copy once an element had to change: nothing is allocated for a clean one. */
function cleanArray(value: unknown[], seen: Set<object>): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i += 1) {
    const item = value[i];
    const cleaned = clean(item, seen);
    if (cleaned !== item) (copy ??= [...value])[i] = cleaned;
  }
  return copy ?? value;
}

/**
 * The object, or a copy once a key or value had to change (made with `Object.fromEntries`, so a key such as
 * `__proto__` stays a key): nothing is allocated for a clean one.
 */
function cleanObject(value: Record<string, unknown>, seen: Set<object>): Record<string, unknown> {
  const keys = Object.keys(value);
  let entries: [string, unknown][] | undefined;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i];
    const item = value[key];
    const cleanKey = storableText(key);
    const cleaned = clean(item, seen);
    if (!entries && (cleanKey !== key || cleaned !== item))
      entries = keys.slice(0, i).map((before) => [before, value[before]]);
    entries?.push([cleanKey, cleaned]);
  }
  return entries ? Object.fromEntries(entries) : value;
}

/**
 * A JSON value as Postgres will take it into a jsonb or text column: every string (keys included) made
 * storable with {@link storableText}; the value itself when nothing had to change. Every task write of a
 * value produced by an executor (output, error, progress message, checkpoint) goes through here.
 * Throws {@link NotStorableError} for what has no JSON form.
 */
export function storable<T>(value: T): T {
  try {
    return clean(value, new Set()) as T;
  } catch (err) {
    if (err instanceof NotStorableError) throw err;
    // A stack overflow on a value nested too deep, or a toJSON that throws.
    throw new NotStorableError(
      err instanceof RangeError ? 'the value is nested too deep' : 'the value has no JSON form',
    );
  }
}

/** {@link storable}, as JSON text for a jsonb parameter; null stays null. */
export function storableJson(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return jsonOfStorable(storable(value));
}

/** The JSON text of a value already made {@link storable} (not walked again), for a jsonb parameter. */
export function jsonOfStorable(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  try {
    return JSON.stringify(value) ?? null;
  } catch (err) {
    throw new NotStorableError(
      err instanceof RangeError ? 'the value is nested too deep' : 'the value has no JSON form',
    );
  }
}
