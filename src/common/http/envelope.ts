import { SetMetadata } from '@nestjs/common';
import type { ErrorDetail } from '../errors/app.error';
import type { ResponseMeta } from './request-context';

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

export const RAW_RESPONSE = 'ymera:raw-response';
/** Marks a controller or route whose responses are sent as they are (health, metrics). */
export const RawResponse = (): MethodDecorator & ClassDecorator => SetMetadata(RAW_RESPONSE, true);
