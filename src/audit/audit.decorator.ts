import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import type { Request } from 'express';
import { AuditInterceptor } from './audit.interceptor';
import { AUDIT_ACTION, type AuditActionMeta, NO_AUDIT } from './audit.metadata';
import { auditContextAttachedTo } from './audit-request';

export { AUDIT_ACTION, type AuditActionMeta, NO_AUDIT } from './audit.metadata';

/**
 * Names the audit entry a state-changing route writes (`task.create`, resource `task`), and puts the audit
 * interceptor on the route, which writes it.
 *
 * The services a route calls find the request's audit context (caller, IP, request id) on their own, through
 * an `AsyncLocalStorage`. While one is in use Node runs a hook on every promise of the process, which costs a
 * submission 5–8 % of its CPU (measured side by side). A hot route can do without it: with `explicitContext`
 * its handler takes the context with `@RequestAuditContext()` and passes it to the services that write its
 * entry, and the storage is left off for it (so the lines its services log carry no request id; the request's
 * own line does).
 */
export const AuditAction = (
  action: string,
  resourceType?: string,
  options: { explicitContext?: boolean } = {},
): MethodDecorator =>
  applyDecorators(
    SetMetadata(AUDIT_ACTION, { action, resourceType, ...options } satisfies AuditActionMeta),
    UseInterceptors(AuditInterceptor),
  );

/**
 * The audit context of the request, for a handler whose `@AuditAction` has `explicitContext`: services record
 * the request's entry with it, and the audit interceptor sees that they did.
 */
export const RequestAuditContext = createParamDecorator((_: unknown, context: ExecutionContext) =>
  auditContextAttachedTo(context.switchToHttp().getRequest<Request>()),
);

/** For high-volume public ingest that changes no state worth auditing. */
export const NoAudit = (): MethodDecorator & ClassDecorator => SetMetadata(NO_AUDIT, true);
