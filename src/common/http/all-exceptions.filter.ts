import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../../database/db-retry';
import { AppError, ErrorDetail } from '../errors/app.error';
import { codeForStatus, ErrorCode } from '../errors/error-code';
import { isRedisUnavailable } from '../errors/redis-unavailable';
import type { ErrorEnvelope } from './envelope';
import { responseMeta } from './request-context';
import { NOT_UTF8 } from './utf8-body';

export interface Problem {
  status: number;
  code: string;
  message: string;
  details?: ErrorDetail[];
  headers?: Record<string, string>;
}

/** Errors raised by the body parser carry a `type` and the status to answer with. */
interface BodyParserError {
  type: string;
  status: number;
  message?: string;
  /** The body as read, on a parse failure. */
  body?: unknown;
}

/**
 * Whether a body the parser refused is JSON all the same, a bare value (`null`, `"text"`, `1`, `true`): the
 * parser takes only an object or an array at the top, and "not valid JSON" would mislead.
 */
function isBareJsonValue(body: unknown): boolean {
  if (typeof body !== 'string' || /^\s*[[{]/.test(body)) return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as BodyParserError).type === 'string' &&
    typeof (err as BodyParserError).status === 'number'
  );
}

/** How long a client is asked to wait when a backing store (Postgres, Redis) is unreachable. */
const RETRY_AFTER_SECONDS = '5';

const DEFAULT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.NOT_FOUND]: 'Not found',
  [ErrorCode.UNAUTHENTICATED]: 'Authentication required',
  [ErrorCode.FORBIDDEN]: 'You do not have permission to do this',
  [ErrorCode.RATE_LIMITED]: 'Too many requests; slow down',
  [ErrorCode.PAYLOAD_TOO_LARGE]: 'The request body is too large',
  [ErrorCode.SERVICE_UNAVAILABLE]: 'The service is temporarily unavailable',
};

function fromHttpException(err: HttpException): Problem {
  const status = err.getStatus();
  const code = codeForStatus(status);
  const body = err.getResponse();
  let message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
  if (Array.isArray(message)) message = message.join('; ');
  if (status === 404 && typeof message === 'string' && message.startsWith('Cannot ')) {
    message = 'No route matches this method and path';
  }
  return {
    status,
    code,
    message: typeof message === 'string' && status < 500 ? message : (DEFAULT_MESSAGES[code] ?? 'Request failed'),
  };
}

function fromBodyParserError(err: BodyParserError): Problem {
  switch (err.type) {
    case 'entity.too.large':
      return { status: 413, code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'The request body is larger than allowed' };
    case 'entity.parse.failed': {
      if (isBareJsonValue(err.body)) {
        return { status: 400, code: ErrorCode.BAD_REQUEST, message: 'The request body must be a JSON object or array' };
      }
      // Where it went wrong, but not the parser's quote of the body: the body may hold a secret.
      const at = /at position (\d+)/.exec(err.message ?? '')?.[1];
      const where = at === undefined ? '' : ` (at position ${at})`;
      return { status: 400, code: ErrorCode.BAD_REQUEST, message: `The request body is not valid JSON${where}` };
    }
    case NOT_UTF8:
      return { status: 400, code: ErrorCode.BAD_REQUEST, message: 'The request body is not UTF-8' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        status: 415,
        code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        message: 'Unsupported content encoding or charset',
      };
    default:
      return err.status >= 400 && err.status < 500
        ? { status: err.status, code: codeForStatus(err.status), message: 'The request body could not be read' }
        : { status: 500, code: ErrorCode.INTERNAL, message: 'Internal error' };
  }
}

export function sendError(req: Request, res: Response, problem: Problem): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body: ErrorEnvelope = {
    status: 'error',
    error: { code: problem.code, message: problem.message, ...(problem.details ? { details: problem.details } : {}) },
    meta: responseMeta(req),
  };
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  res.status(problem.status).json(body);
}

/** The SQLSTATE of a Postgres error, as TypeORM's QueryFailedError or the driver's own error carries it. */
function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown }; severity?: unknown; query?: unknown };
  const code = e.driverError?.code ?? (e.severity !== undefined || e.query !== undefined ? e.code : undefined);
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * A value the request carried that Postgres refused to store or compare: the request is at fault, whatever
 * validation missed. The answer says so in general terms; neither the statement nor the value leaves.
 */
function fromSqlState(state: string): Problem | undefined {
  // Class 22 (data exception: out of range, bad text, bad date or number), 23502 (not null), 23514 (check).
  if (state.startsWith('22') || state === '23502' || state === '23514') {
    return { status: 400, code: ErrorCode.VALIDATION_FAILED, message: 'The request has a value that cannot be stored' };
  }
  // Class 54 (program limit exceeded: a value too large to index, a statement too complex).
  if (state.startsWith('54')) {
    return { status: 400, code: ErrorCode.BAD_REQUEST, message: 'The request is too large or complex to process' };
  }
  return undefined;
}

/** The answer when a backing store is unreachable: the client is asked to come back shortly. */
function unavailable(what: string): Problem {
  return {
    status: 503,
    code: ErrorCode.SERVICE_UNAVAILABLE,
    message: `${what} is unavailable; try again shortly`,
    headers: { 'Retry-After': RETRY_AFTER_SECONDS },
  };
}

/**
 * A compressed body that does not decompress, as the body parser hands it on (a 400 whose cause is zlib's data
 * error, `Z_DATA_ERROR` or `Z_BUF_ERROR`, or Brotli's `ERR__ERROR_…`): its words are zlib's. zlib failing for
 * the server's own reasons (`Z_MEM_ERROR`) stays an internal error.
 */
function isBadCompressedBody(err: unknown): boolean {
  // Through Express's error path Nest wraps it in an HttpException; thrown by a route's guard it is as made.
  const made = err instanceof HttpException ? (err.getStatus() === 400 ? err.cause : undefined) : err;
  const { code, status } = (made ?? {}) as { code?: unknown; status?: unknown };
  return (
    (err instanceof HttpException || status === 400) &&
    typeof code === 'string' &&
    /^(Z_DATA_ERROR|Z_BUF_ERROR|ERR__ERROR_)/.test(code)
  );
}

/**
 * The answer an error gets (status, code, message): its own for the platform's errors, the framework's status,
 * a request Postgres refused, a service away; anything else is an internal error. The audit trail records the
 * same code.
 */
export function problemOf(err: unknown): Problem {
  if (err instanceof AppError) {
    return { status: err.status, code: err.code, message: err.message, details: err.details, headers: err.headers };
  }
  if (isBadCompressedBody(err)) {
    const message = 'The request body could not be decompressed as its Content-Encoding says';
    return { status: 400, code: ErrorCode.BAD_REQUEST, message };
  }
  // Nest hands a body parser's errors on as HttpExceptions, whose message is the parser's.
  if (err instanceof HttpException && isBodyParserError(err.cause)) return fromBodyParserError(err.cause);
  if (err instanceof HttpException) return fromHttpException(err);
  if (isBodyParserError(err)) return fromBodyParserError(err);
  if (isDatabaseUnavailable(err)) return unavailable('The database');
  const sqlState = sqlStateOf(err);
  const refused = sqlState === undefined ? undefined : fromSqlState(sqlState);
  if (refused) return refused;
  if (isRedisUnavailable(err)) return unavailable('The queue and rate-limit store');
  return { status: 500, code: ErrorCode.INTERNAL, message: 'Internal error' };
}

/** Turns every error into the contract's error envelope: no stack, SQL or internals leave the process. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(err: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw err;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const problem = problemOf(err);
    const sqlState = problem.status < 500 ? sqlStateOf(err) : undefined;
    if (sqlState !== undefined) {
      this.logger.warn(
        `${req.method} ${req.path} refused by the database with SQLSTATE ${sqlState}, answered ${problem.status} (request ${String(req.id ?? '-')})`,
      );
    }
    if (problem.status >= 500) {
      const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const request = `(request ${String(req.id ?? '-')})`;
      if (problem.code === ErrorCode.SERVICE_UNAVAILABLE) {
        // A dependency that is away (the outage has its own lines): what the client was told, then the driver's words.
        this.logger.warn(`${req.method} ${req.path} answered 503: ${problem.message} [${detail}] ${request}`);
      } else {
        this.logger.error(`${req.method} ${req.path} failed with ${problem.status}: ${detail} ${request}`);
        if (err instanceof Error && err.stack) this.logger.debug(err.stack);
      }
    }
    sendError(req, res, problem);
  }
}
