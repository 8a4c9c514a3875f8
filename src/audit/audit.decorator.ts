import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { Request } from 'express';
import { AuditFailureFilter } from './audit-failure.filter';
import { AuditInterceptor } from './audit.interceptor';
import { AUDIT_ACTION, type AuditActionMeta, NO_AUDIT } from './audit.metadata';
import { auditTrailOf } from './audit-request';
import { AuditTrailGuard } from './audit-trail.guard';

export { AUDIT_ACTION, type AuditActionMeta, NO_AUDIT } from './audit.metadata';

/**
 * Names the audit entry a state-changing route writes (`task.create`, resource `task`), and puts the audit
 * interceptor on the route, which writes it.
 *
 * The services a route calls find the request's audit context (caller, IP, request id) on their own, through
 * an `AsyncLocalStorage`. A hot route can do without both the interceptor and the storage, with
 * `explicitContext`:
 * - its handler takes the context with `@RequestAuditContext()` and passes it to the services, which must write
 *   the success entry (in the change's own statement or transaction);
 * - the audit trail guard opens the request's trail once it is let in, and the audit failure filter writes a
 *   failure (an invalid body, an error of the handler) before the error is answered; a timeout is written when
 *   its 504 is sent;
 * - the lines its services log carry no request id (the request's own line does).
 *
 * Both cost: Nest runs a route with any interceptor through a chain of Observables and async scopes, which is
 * about a fifth of a task submission's CPU; while the storage is on, Node runs a hook on every promise of the
 * process, another 5–8 % (each measured side by side).
 */
export const AuditAction = (
  action: string,
  resourceType?: string,
  options: { explicitContext?: boolean } = {},
): MethodDecorator => {
  const meta = SetMetadata(AUDIT_ACTION, { action, resourceType, ...options } satisfies AuditActionMeta);
  return options.explicitContext
    ? applyDecorators(meta, UseGuards(AuditTrailGuard), UseFilters(AuditFailureFilter))
    : applyDecorators(meta, UseInterceptors(AuditInterceptor));
};

/**
 * The audit context of the request, for services that record the request's entry themselves (required by
 * `@AuditAction(…, { explicitContext: true })`).
 */
export const RequestAuditContext = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const trail = auditTrailOf(context.switchToHttp().getRequest<Request>());
  // A programming error, caught by the first request.
  if (!trail) throw new Error('@RequestAuditContext() needs @AuditAction on its route');
  return trail.context;
});

/** For high-volume public ingest that changes no state worth auditing. */
export const NoAudit = (): MethodDecorator & ClassDecorator => SetMetadata(NO_AUDIT, true);
