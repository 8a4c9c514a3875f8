import type { NextFunction, Request, Response } from 'express';
import { RequestTimeoutError } from '../errors/app.error';
import { sendError } from './all-exceptions.filter';

const DEADLINE = Symbol('request deadline');

interface Deadline {
  expired: boolean;
  /** Its length, in milliseconds. */
  ms: number;
  listeners?: ((ms: number) => void)[];
}

type WithDeadline = Request & { [DEADLINE]?: Deadline };

/**
 * Answers 504 TIMEOUT to a request that has had no answer within `ms`, whatever holds it up: a guard, the
 * handler, or the database. A response already under way (an SSE stream) is left alone. What the handler
 * sends later is dropped (see EnvelopeExpressAdapter); those who must know, such as the audit log, are told
 * through {@link onRequestTimeout}.
 */
export function requestDeadline(ms: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const deadline: Deadline = { expired: false, ms };
    (req as WithDeadline)[DEADLINE] = deadline;
    const timer = setTimeout(() => {
      if (res.headersSent || res.writableEnded) return;
      deadline.expired = true;
      for (const listener of deadline.listeners ?? []) listener(ms);
      const err = new RequestTimeoutError();
      sendError(req, res, { status: err.status, code: err.code, message: err.message });
    }, ms);
    // 'close' comes once the response is sent, or when the client goes away first.
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

/**
 * Runs `listener` with the deadline's length if the request times out before it is answered (at once if it
 * already has).
 */
export function onRequestTimeout(req: Request, listener: (deadlineMs: number) => void): void {
  const deadline = (req as WithDeadline)[DEADLINE];
  if (!deadline) return;
  if (deadline.expired) {
    listener(deadline.ms);
    return;
  }
  (deadline.listeners ??= []).push(listener);
}
