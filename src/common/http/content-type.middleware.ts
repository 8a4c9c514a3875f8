import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors/app.error';
import { ErrorCode } from '../errors/error-code';
import { charsetOf, isUtf8 } from './charset';
import { checkJsonBody } from './input-guard';

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A body's refusal, kept on its request for the route to throw (see {@link jsonBodies}). */
const REFUSED = Symbol('refused body');
type WithRefusal = Request & { [REFUSED]?: unknown };

/**
 * Throws the refusal of the request's body, when {@link jsonBodies} kept one: called by the guards once the caller
 * is known (and, on a state-changing route, once its audit trail is open, so the refusal is audited as a failure).
 */
export function refuseBody(req: Request): void {
  const refusal = (req as WithRefusal)[REFUSED];
  if (refusal !== undefined) throw refusal;
}

/**
 * The API speaks JSON only: a request body of any other type is refused with 415 before it is read, and
 * a JSON body is handed to the parser `parserFor` picks for the route (each has its own size limit), then
 * refused if it nests too deep or carries text Postgres cannot store ({@link checkJsonBody}), before
 * anything else sees it. A request without a body skips all of this. On the paths `keptForRoute` names (the API's),
 * a refusal is not sent at once: it is kept on the request, with no body, and thrown by the guards
 * ({@link refuseBody}) once the caller is authenticated and allowed, so that a refused body is answered after a
 * 401, 403 or 429 and audited like any other refusal; elsewhere it is the error of the request at once.
 */
export function jsonBodies(
  parserFor: (req: Request) => RequestHandler,
  keptForRoute: (req: Request) => boolean,
): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    const refused = (err: unknown): void => {
      if (!keptForRoute(req)) return next(err);
      req.body = undefined;
      (req as WithRefusal)[REFUSED] = err;
      next();
    };
    const type = req.headers['content-type'] ?? '';
    // JSON is UTF-8 (RFC 8259 §8.1): another charset is refused, another name of UTF-8 (`utf8`) is taken.
    const charset = charsetOf(type);
    if (!JSON_TYPE.test(type) || (charset !== undefined && !isUtf8(charset))) {
      refused(new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Request bodies must be application/json, in UTF-8'));
      return;
    }
    // The parser knows UTF-8 by its `utf-8` name only; without the parameter it reads UTF-8.
    if (charset !== undefined && charset !== 'utf-8') req.headers['content-type'] = type.split(';')[0];
    parserFor(req)(req, res, (err?: unknown) => {
      if (err !== undefined) {
        refused(err);
        return;
      }
      try {
        checkJsonBody(req.body);
      } catch (problem) {
        refused(problem);
        return;
      }
      next();
    });
  };
}
