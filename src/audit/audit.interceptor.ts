import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { catchError, mergeMap, Observable } from 'rxjs';
import { AuditContextStore } from './audit-context';
import { AuditTrails } from './audit-trails';

/**
 * Writes one audit entry for every state-changing request that reaches a handler, unless the handler's
 * service already wrote it inside its transaction. Requests refused by the guards are audited there. A
 * request that runs past its deadline is a failure, written when its 504 is sent.
 *
 * It runs on the routes that `@AuditAction` marks without `explicitContext` (every state-changing route
 * declares one, or `@NoAudit`: the audit coverage check refuses to boot otherwise); reads have no
 * interceptor at all.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly trails: AuditTrails,
    private readonly store: AuditContextStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // Reads (and anything but HTTP) write nothing.
    const trail = this.trails.openFor(context);
    if (!trail) return next.handle();
    // Called inside the async context: Nest binds the handler to the context `handle()` is called in.
    const audited = (): Observable<unknown> =>
      next.handle().pipe(
        mergeMap(async (result: unknown) => {
          await this.trails.succeeded(trail, result);
          return result;
        }),
        catchError(async (err: unknown) => {
          await this.trails.failed(trail, err);
          throw err;
        }),
      );
    return new Observable((subscriber) => {
      // The context stays on until the request's stream is done, not just while it is set up.
      const release = this.store.hold();
      const subscription = this.store.run(trail.context, () => audited().subscribe(subscriber));
      return () => {
        subscription.unsubscribe();
        release();
      };
    });
  }
}
