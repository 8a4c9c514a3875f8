import { type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { RequestTimeoutError } from '../common/errors/app.error';
import { problemOf } from '../common/http/all-exceptions.filter';
import { idOrNull } from '../common/http/ids';
import { beforeReply } from '../common/http/before-reply';
import { onRequestTimeout } from '../common/http/request-deadline';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { AUDIT_ACTION, type AuditActionMeta } from './audit.metadata';
import { attachAuditTrail, type AuditTrail, auditContextOf, isStateChanging } from './audit-request';
import { AuditService } from './audit.service';

/**
 * How many deadlines after its 504 a request's work may still end and settle its trail as it ends; past that it
 * is written as the timeout: a handler stuck for good leaves no request unaudited.
 */
const UNSETTLED_DEADLINES = 10;

/** `denied` for an authentication or permission error, else `failure`. */
function outcomeOf(err: unknown): 'failure' | 'denied' {
  const { status } = problemOf(err);
  return status === 401 || status === 403 ? 'denied' : 'failure';
}

/**
 * Opens and settles the audit trail of each state-changing request a route's `@AuditAction` names: the audit
 * trail guard opens it once the request is let in; the route's services write its success with the change;
 * the audit failure filter writes a failure before the error is answered; a success no service wrote is
 * written before the answer is sent. A request answered 504 while its work goes on is settled when that work
 * ends, as it ends: a change made after the 504 is a success, once; a failure is the timeout the caller got;
 * work not ended ten deadlines after the 504 is the timeout too.
 */
@Injectable()
export class AuditTrails {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: CachedReflector,
  ) {}

  /**
   * The trail of an HTTP request that changes state, on a route whose `@AuditAction` names its entry;
   * nothing for reads and other contexts.
   */
  openFor(context: ExecutionContext): AuditTrail | undefined {
    if (context.getType() !== 'http') return undefined;
    const req = context.switchToHttp().getRequest<Request>();
    const meta = this.reflector.get<AuditActionMeta | undefined>(AUDIT_ACTION, context.getHandler());
    return meta && isStateChanging(req.method) ? this.open(req, meta) : undefined;
  }

  /**
   * Starts the trail of a request that has been let in (its caller is known). One answered with a result
   * settles it as a success, before the result is sent; one that runs past its deadline, once its work ends
   * (the 504 undoes nothing of it: a change committed after it is recorded as made, not as a failure).
   */
  private open(req: Request, meta: AuditActionMeta): AuditTrail {
    const trail: AuditTrail = {
      meta,
      context: auditContextOf(req),
      // The route's resource: `:id`, or a run's `:runId`. A malformed id (refused with 400) is the client's text:
      // not kept as the entry's resource.
      resourceId: idOrNull(req.params?.id ?? req.params?.runId),
      settled: false,
    };
    attachAuditTrail(req, trail);
    onRequestTimeout(req, (deadlineMs) => {
      trail.timedOut = true;
      const stuck = () => void this.failed(trail, new RequestTimeoutError());
      trail.stuck = setTimeout(stuck, deadlineMs * UNSETTLED_DEADLINES).unref();
    });
    beforeReply(req, (result) => this.succeeded(trail, result));
    return trail;
  }

  /** The handler's result: its `id` names the resource when the route has none. */
  succeeded(trail: AuditTrail, result: unknown): Promise<void> {
    return this.settle(trail, 'success', trail.resourceId ?? (result as { id?: unknown } | undefined)?.id);
  }

  failed(trail: AuditTrail, err: unknown): Promise<void> {
    const answered = trail.timedOut ? new RequestTimeoutError() : err;
    return this.settle(trail, outcomeOf(answered), trail.resourceId, answered);
  }

  /** Never rejects: a request's answer waits for its audit entry's write, but does not fail with it. */
  private async settle(
    trail: AuditTrail,
    outcome: 'success' | 'failure' | 'denied',
    id: unknown,
    err?: unknown,
  ): Promise<void> {
    if (trail.settled) return;
    trail.settled = true;
    clearTimeout(trail.stuck);
    const { context, meta } = trail;
    // A success already written in the service's transaction is done; a failure is written unless an entry
    // of its own was committed (a transaction's entry rolled back with it) or the request owes none.
    if (context.recorded === 'committed' || context.recorded === 'waived') return;
    if (outcome === 'success' && context.recorded) return;
    await this.audit
      .record(
        {
          action: meta.action,
          outcome,
          resourceType: meta.resourceType ?? null,
          resourceId: typeof id === 'string' ? id : null,
          details: err === undefined ? {} : { error: problemOf(err).code },
        },
        undefined,
        context,
      )
      .catch(() => undefined);
  }
}
