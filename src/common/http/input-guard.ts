import type { NextFunction, Request, Response } from 'express';
import { AppError, type ErrorDetail, ValidationFailedError } from '../errors/app.error';
import { ErrorCode } from '../errors/error-code';
import { isStorableText } from '../storable-text';

/**
 * How deep a JSON body may nest (the body itself is level 1). Task inputs and workflow definitions need a
 * handful of levels; class-transformer and class-validator recurse once per level, so thousands would
 * overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

const BAD_CHARACTERS = 'NUL characters or unpaired UTF-16 surrogates';
const BAD_TEXT = `must not contain ${BAD_CHARACTERS}`;
/** JSON.parse reads a number beyond a double's range as Infinity, which JSON then writes as null. */
const NOT_FINITE = 'is a number beyond what can be held (±1.7976931348623157e308)';

export { isStorableText };

/** A key as one segment of a JSON pointer (`~` and `/` escaped). */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

class TooDeep extends Error {}

/**
 * The first place in a parsed JSON body that has text Postgres cannot store (in a string or a key), or a number
 * too large to be one (it would be stored as null), as a JSON pointer; throws TooDeep past {@link MAX_JSON_DEPTH}.
 * Recursion is bounded by that same depth.
 */
function findBadText(value: unknown, pointer: string, depth: number): ErrorDetail | undefined {
  if (typeof value === 'string') {
    return isStorableText(value) ? undefined : { field: pointer || '/', message: BAD_TEXT };
  }
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : { field: pointer || '/', message: NOT_FINITE };
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > MAX_JSON_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadText(value[i], `${pointer}/${i}`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!isStorableText(key)) return { field: pointer || '/', message: `has a key with ${BAD_CHARACTERS}: refused` };
    const bad = findBadText((value as Record<string, unknown>)[key], `${pointer}/${escapePointer(key)}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/**
 * The first place in a parsed JSON value that a request body would be refused for: unstorable text, a number
 * beyond a double's range, or nesting past {@link MAX_JSON_DEPTH} levels.
 */
export function findBadValue(value: unknown): ErrorDetail | undefined {
  try {
    return findBadText(value, '', 1);
  } catch (err) {
    if (!(err instanceof TooDeep)) throw err;
    return { field: '/', message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
  }
}

/**
 * Refuses a parsed JSON body nested too deep (400 BAD_REQUEST) or carrying unstorable text or a number beyond a
 * double's range (400 VALIDATION_FAILED).
 */
export function checkJsonBody(body: unknown): void {
  let bad: ErrorDetail | undefined;
  try {
    bad = findBadText(body, '', 1);
  } catch (err) {
    if (!(err instanceof TooDeep)) throw err;
    throw new AppError(ErrorCode.BAD_REQUEST, `The request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  if (bad) throw new ValidationFailedError([bad]);
}

const MALFORMED_URL = 'The URL has malformed percent-encoding';

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new AppError(ErrorCode.BAD_REQUEST, MALFORMED_URL);
  }
}

/**
 * Refuses a URL whose path or query has malformed percent-encoding (400 BAD_REQUEST) or decodes to text
 * Postgres cannot store (400 VALIDATION_FAILED naming the query parameter, or `path`). Runs before routing.
 */
export function checkUrl(url: string): void {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (path.includes('%') && !isStorableText(decode(path))) {
    throw new ValidationFailedError([{ field: 'path', message: BAD_TEXT }]);
  }
  if (queryAt === -1 || !url.includes('%', queryAt)) return;
  for (const pair of url.slice(queryAt + 1).split('&')) {
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    if (!isStorableText(name))
      throw new ValidationFailedError([
        { field: 'query', message: `has a parameter name with ${BAD_CHARACTERS}: refused` },
      ]);
    if (!isStorableText(value))
      throw new ValidationFailedError([{ field: `/${escapePointer(name)}`, message: BAD_TEXT }]);
  }
}

/** {@link checkUrl} as the middleware every request passes before anything reads its path or query. */
export function refuseBadUrls(req: Request, _res: Response, next: NextFunction): void {
  try {
    checkUrl(req.originalUrl);
  } catch (err) {
    next(err);
    return;
  }
  next();
}
