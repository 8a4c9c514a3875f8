import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { RequestTimeoutError } from '../errors/app.error';

/**
 * Answers 504 when a handler runs past REQUEST_TIMEOUT_MS. Streams (SSE) are not bound by it. One timer
 * per request, cleared by the handler's first answer: rxjs's `timeout` schedules through its own action
 * and subscription objects, several times the allocation of the request's other interceptors together.
 */
@Injectable()
export class TimeoutInterceptor implements NestInterceptor {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const ms = this.config.http.requestTimeoutMs;
    return new Observable((subscriber) => {
      const timer = setTimeout(() => subscriber.error(new RequestTimeoutError()), ms);
      const subscription = next.handle().subscribe({
        next: (value) => {
          clearTimeout(timer);
          subscriber.next(value);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      // Runs on error and completion too, so the timer never outlives the request.
      return () => {
        clearTimeout(timer);
        subscription.unsubscribe();
      };
    });
  }
}
