import type { Request } from 'express';
import type { ErrorDetail } from '../errors/app.error';
import { type ResponseMeta, responseMeta } from './request-context';

export interface SuccessEnvelope<T> {
  status: 'success';
  data: T;
  meta: ResponseMeta & Partial<PageMeta>;
}

export interface ErrorEnvelope {
  status: 'error';
  error: { code: string; message: string; details?: ErrorDetail[] };
  meta: ResponseMeta;
}

export interface PageMeta {
  total: number;
  skip: number;
  limit: number;
  /** Set by lists whose count stops at a cap: more than `total` items match. */
  totalCapped?: boolean;
}

/** One page of a list: the envelope sends `items` as `data` and the rest in `meta`. */
export class Page<T> implements PageMeta {
  constructor(
    readonly items: T[],
    readonly total: number,
    readonly skip: number,
    readonly limit: number,
    /** Given by lists whose count stops at a cap (see {@link PageMeta.totalCapped}). */
    readonly totalCapped?: boolean,
  ) {}
}

/** A handler's result in the success envelope; nothing for a 204. Lists carry their paging in `meta`. */
export function successEnvelope(req: Request, status: number, data: unknown): SuccessEnvelope<unknown> | undefined {
  if (status === 204) return undefined;
  if (data instanceof Page) {
    const { items, total, skip, limit, totalCapped } = data;
    const capped = totalCapped === undefined ? {} : { totalCapped };
    return { status: 'success', data: items, meta: { ...responseMeta(req), total, skip, limit, ...capped } };
  }
  return { status: 'success', data: data ?? null, meta: responseMeta(req) };
}
