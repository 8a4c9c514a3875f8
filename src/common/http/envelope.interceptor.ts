import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { CachedReflector } from '../metadata/cached-reflector';
import { Page, RAW_RESPONSE, SuccessEnvelope } from './envelope';
import { responseMeta } from './request-context';

/** Wraps every API result in the success envelope; lists carry their paging in `meta`. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: CachedReflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const raw = this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [context.getHandler(), context.getClass()]);
    if (raw) return next.handle();
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
}
