import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { Page, RAW_RESPONSE, SuccessEnvelope } from './envelope';
import { responseMeta } from './request-context';

/** Wraps every API result in the success envelope; lists carry their paging in `meta`. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  /** Whether a handler answers raw, by handler: metadata does not change once the app is built. */
  private readonly rawHandlers = new WeakMap<object, boolean>();

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    if (this.isRaw(context)) return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    res.setHeader('Cache-Control', 'no-store');
    return next.handle().pipe(
      map((data: unknown): SuccessEnvelope<unknown> | undefined => {
        if (res.statusCode === 204) return undefined;
        if (data instanceof Page) {
          const { items, total, skip, limit } = data;
          return { status: 'success', data: items, meta: { ...responseMeta(req), total, skip, limit } };
        }
        return { status: 'success', data: data ?? null, meta: responseMeta(req) };
      }),
    );
  }

  private isRaw(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let raw = this.rawHandlers.get(handler);
    if (raw === undefined) {
      raw = this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [handler, context.getClass()]) === true;
      this.rawHandlers.set(handler, raw);
    }
    return raw;
  }
}
