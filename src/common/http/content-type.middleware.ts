import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors/app.error';
import { ErrorCode } from '../errors/error-code';
import { checkJsonBody } from './input-guard';

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;
/** A `charset` parameter other than UTF-8 (JSON is UTF-8, RFC 8259 §8.1). */
const OTHER_CHARSET = /;\s*charset\s*=\s*(?!"?utf-8"?\s*(;|$))/i;

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The API speaks JSON only: a request body of any other type is refused with 415 before it is read, and
 * a JSON body is handed to the parser `parserFor` picks for the route (each has its own size limit), then
 * refused if it nests too deep or carries text Postgres cannot store ({@link checkJsonBody}), before
 * anything else sees it. A request without a body skips all of this.
 */
export function jsonBodies(parserFor: (req: Request) => RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    const type = req.headers['content-type'] ?? '';
    if (!JSON_TYPE.test(type) || OTHER_CHARSET.test(type)) {
      next(new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Request bodies must be application/json, in UTF-8'));
      return;
    }
    parserFor(req)(req, res, (err?: unknown) => {
      if (err !== undefined) {
        next(err);
        return;
      }
      try {
        checkJsonBody(req.body);
      } catch (refused) {
        next(refused);
        return;
      }
      next();
    });
  };
}
