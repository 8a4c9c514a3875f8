import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';

/** What body-parser is handed (as its `verify`) when a body's bytes are not UTF-8: see {@link refuseNotUtf8}. */
export const NOT_UTF8 = 'entity.not.utf8';

/**
 * A JSON body's `verify`: its bytes must be UTF-8 (the only charset a JSON body is taken in), else it is refused
 * with 400, never read with its bad bytes replaced by U+FFFD (the caller's data changed without a word).
 */
export function refuseNotUtf8(_req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  if (!isUtf8(buffer)) throw Object.assign(new Error('The request body is not UTF-8'), { status: 400, type: NOT_UTF8 });
}
