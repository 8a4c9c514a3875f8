import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { ErrorDetail } from '../errors/app.error';
import { type ResponseMeta, responseMeta } from './request-context';

export interface SuccessEnvelope<T> {
  status: 'success';
  data: T;
  meta: ResponseMeta & Partial<PageMeta> & Partial<BoundedPageMeta>;
}

export interface ErrorEnvelope {
  status: 'error';
  error: { code: string; message: string; details?: ErrorDetail[] };
  meta: ResponseMeta;
}

/** An error envelope answered outside Nest (a refused request, a worker's own server): a request id of its own. */
export function errorEnvelope(code: string, message: string): ErrorEnvelope {
  return {
    status: 'error',
    error: { code, message },
    meta: { timestamp: new Date().toISOString(), requestId: randomUUID() },
  };
}

export interface PageMeta {
  total: number;
  skip: number;
  limit: number;
}

/** A list too long to count exactly on every request: a bounded `total`, and whether more items follow. */
export interface BoundedPageMeta {
  /** True when the count stopped at its bound: more items match than `total` says. */
  totalCapped: boolean;
  /** Items follow this page. */
  hasMore: boolean;
}

/** One page of a list: the envelope sends `items` as `data` and the rest in `meta`. */
export class Page<T> implements PageMeta {
  constructor(
    readonly items: T[],
    readonly total: number,
    readonly skip: number,
    readonly limit: number,
    readonly bounded?: BoundedPageMeta,
  ) {}
}

/** A handler's result in the success envelope; nothing for a 204. Lists carry their paging in `meta`. */
export function successEnvelope(req: Request, status: number, data: unknown): SuccessEnvelope<unknown> | undefined {
  if (status === 204) return undefined;
  if (data instanceof Page) {
    const { items, total, skip, limit, bounded } = data;
    return { status: 'success', data: items, meta: { ...responseMeta(req), total, skip, limit, ...bounded } };
  }
  return { status: 'success', data: data ?? null, meta: responseMeta(req) };
}
