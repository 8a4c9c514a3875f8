import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';

export const REQUEST_ID_HEADER = 'X-Request-Id';
export const RESPONSE_TIME_HEADER = 'X-Response-Time';
/** A client's id is kept when it is short and plain; anything else is replaced, never echoed. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function resolveRequestId(candidate: unknown): string {
  return typeof candidate === 'string' && SANE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

/** Told once a response has been sent, with how long the request took. */
export type FinishedRequestObserver = (req: Request, res: Response, durationMs: number) => void;

/**
 * The first middleware: gives the request its id (`X-Request-Id`), times it (`X-Response-Time`, in ms)
 * and tells the observers (request log, HTTP metrics) when its response has been sent. They share one
 * middleware, one clock and one `finish` listener: on Express every middleware a request passes through
 * is a noticeable part of what a small request costs.
 */
export function requestTrackingMiddleware(observers: readonly FinishedRequestObserver[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const id = resolveRequestId(req.headers['x-request-id']);
    (req as Request & { id: string }).id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    onHeaders(res, () => res.setHeader(RESPONSE_TIME_HEADER, `${(performance.now() - started).toFixed(1)}ms`));
    res.on('finish', () => {
      const durationMs = performance.now() - started;
      for (const observe of observers) observe(req, res, durationMs);
    });
    next();
  };
}
