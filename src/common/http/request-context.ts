import type { Request } from 'express';

/** The request id is set by {@link requestTrackingMiddleware} before anything else runs. */
export function requestIdOf(req: Request): string {
  return String((req as Request & { id?: unknown }).id ?? '');
}

export interface ResponseMeta {
  timestamp: string;
  requestId: string;
}

export function responseMeta(req: Request): ResponseMeta {
  return { timestamp: new Date().toISOString(), requestId: requestIdOf(req) };
}
