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
}

/** One page of a list: the envelope sends `items` as `data` and the rest in `meta`. */
export class Page<T> implements PageMeta {
  constructor(
    readonly items: T[],
    readonly total: number,
    readonly skip: number,
    readonly limit: number,
  ) {}
}

/** A handler's result in the success envelope; nothing for a 204. Lists carry their paging in `meta`. */
export function successEnvelope(req: Request, status: number, data: unknown): SuccessEnvelope<unknown> | undefined {
  if (status === 204) return undefined;
  if (data instanceof Page) {
    const { items, total, skip, limit } = data;
    return { status: 'success', data: items, meta: { ...responseMeta(req), total, skip, limit } };
  }
  return { status: 'success', data: data ?? null, meta: responseMeta(req) };
}
