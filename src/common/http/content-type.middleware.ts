import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors/app.error';
import { ErrorCode } from '../errors/error-code';

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The API speaks JSON only: a request body of any other type is refused with 415 before it is read, and
 * a JSON body is handed to `parse`. A request without a body skips both.
 */
export function jsonBodies(parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) {
      next(new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Request bodies must be application/json'));
      return;
    }
    parse(req, res, next);
  };
}
