import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, Observable, throwError, timeout, TimeoutError } from 'rxjs';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { RequestTimeoutError } from '../errors/app.error';

/** Answers 504 when a handler runs past REQUEST_TIMEOUT_MS. Streams (SSE) are not bound by it. */
@Injectable()
export class TimeoutInterceptor implements NestInterceptor {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      timeout({ first: this.config.http.requestTimeoutMs }),
      catchError((err: unknown) => throwError(() => (err instanceof TimeoutError ? new RequestTimeoutError() : err))),
    );
  }
}
