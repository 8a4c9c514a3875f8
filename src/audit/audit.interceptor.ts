import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, mergeMap, Observable } from 'rxjs';
import { AppError, RequestTimeoutError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { onRequestTimeout } from '../common/http/request-deadline';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { AUDIT_ACTION, type AuditActionMeta } from './audit.metadata';
import { AuditContextStore, type AuditRequestContext } from './audit-context';
import { AuditService } from './audit.service';
import { attachAuditContext, auditContextOf, isStateChanging } from './audit-request';

function outcomeOf(err: unknown): 'failure' | 'denied' {
  if (err instanceof AppError) {
    return [ErrorCode.FORBIDDEN, ErrorCode.UNAUTHENTICATED, ErrorCode.MFA_REQUIRED].includes(err.code)
      ? 'denied'
      : 'failure';
  }
  const status = (err as { status?: number }).status;
  return status === 401 || status === 403 ? 'denied' : 'failure';
}

/**
 * Writes one audit entry for every state-changing request that reaches a handler, unless the handler's
 * service already wrote it inside its transaction. Requests refused by the guards are audited there. A
 * request that runs past its deadline is a failure, written when its 504 is sent.
 *
 * It runs on the routes that `@AuditAction` marks (every state-changing route declares one, or
 * `@NoAudit`: the audit coverage check refuses to boot otherwise); reads have no interceptor at all.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly store: AuditContextStore,
    private readonly reflector: CachedReflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    // The action `@AuditAction` named, which is what put this interceptor on the route; reads write nothing.
    const meta = this.reflector.get<AuditActionMeta | undefined>(AUDIT_ACTION, context.getHandler());
    if (!meta || !isStateChanging(req.method)) return next.handle();
    const ctx: AuditRequestContext = auditContextOf(req);
    attachAuditContext(req, ctx);
    const { action } = meta;
    const resourceId = typeof req.params?.id === 'string' ? req.params.id : null;

    let settled = false;
    const write = async (outcome: 'success' | 'failure' | 'denied', id: unknown, err?: unknown): Promise<void> => {
      // One outcome per request: the first (a timeout comes before the handler's late result).
      if (settled) return;
      settled = true;
      // A success already written in the service's transaction is done; a failure is written unless an
      // entry of its own was committed (a transaction's entry rolled back with it).
      if (ctx.recorded === 'committed' || (outcome === 'success' && ctx.recorded)) return;
      await this.audit
        .record(
          {
            action,
            outcome,
            resourceType: meta.resourceType ?? null,
            resourceId: typeof id === 'string' ? id : null,
            details: err === undefined ? {} : { error: err instanceof AppError ? err.code : ErrorCode.INTERNAL },
          },
          undefined,
          ctx,
        )
        .catch(() => undefined);
    };

    onRequestTimeout(req, () => void write('failure', resourceId, new RequestTimeoutError()));

    const audited = (result$: Observable<unknown>): Observable<unknown> =>
      result$.pipe(
        mergeMap(async (result: unknown) => {
          await write('success', resourceId ?? (result as { id?: unknown } | undefined)?.id);
          return result;
        }),
        catchError(async (err: unknown) => {
          await write(outcomeOf(err), resourceId, err);
          throw err;
        }),
      );
    // The handler passes the context on itself (`@RequestAuditContext()`): the async storage stays off.
    if (meta.explicitContext) return audited(next.handle());

    return new Observable((subscriber) => {
      // The context stays on until the request's stream is done, not just while it is set up.
      const release = this.store.hold();
      const subscription = this.store.run(ctx, () => audited(next.handle()).subscribe(subscriber));
      return () => {
        subscription.unsubscribe();
        release();
      };
    });
  }
}
