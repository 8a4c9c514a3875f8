import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { Request } from 'express';
import { RefusesUnreadQueryLater } from '../common/http/declared-query.guard';
import { AuditFailureFilter } from './audit-failure.filter';
import { AUDIT_ACTION, type AuditActionMeta, NO_AUDIT } from './audit.metadata';
import { auditTrailOf } from './audit-request';
import type { AuditRequestContext } from './audit-context';
import { AuditTrailGuard } from './audit-trail.guard';

export { AUDIT_ACTION, type AuditActionMeta, NO_AUDIT } from './audit.metadata';

/**
 * Names the audit entry a state-changing route writes (`task.create`, resource `task`). Its handler takes
 * `@RequestAuditContext()` and hands it to its services, which write the entry in the change's transaction;
 * a failure, or a success no service wrote, is written before the answer is sent (see {@link AuditTrails}).
 * No interceptor and no async context: both cost a measurable share of a request's CPU (docs/performance.md).
 */
export const AuditAction = (action: string, resourceType?: string): MethodDecorator =>
  applyDecorators(
    SetMetadata(AUDIT_ACTION, { action, resourceType } satisfies AuditActionMeta),
    // Unread query keys are refused by the trail's guard, once the trail is open: audited as a failure.
    RefusesUnreadQueryLater(),
    UseGuards(AuditTrailGuard),
    UseFilters(AuditFailureFilter),
  );

function requestAuditContext(_: unknown, context: ExecutionContext): AuditRequestContext {
  const trail = auditTrailOf(context.switchToHttp().getRequest<Request>());
  // A programming error, caught by the first request.
  if (!trail) throw new Error('@RequestAuditContext() needs @AuditAction on its route');
  return trail.context;
}

/** The audit context of the request (caller, IP, request id), for the services of an `@AuditAction` route. */
export const RequestAuditContext = createParamDecorator(requestAuditContext);

/** Whether a controller's handler takes `@RequestAuditContext()` (Nest keeps param decorators per method). */
export function takesRequestAuditContext(controller: object, method: string): boolean {
  const params = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
    string,
    { factory?: unknown }
  >;
  return Object.values(params).some((param) => param.factory === requestAuditContext);
}

/** For high-volume public ingest that changes no state worth auditing. */
export const NoAudit = (): MethodDecorator & ClassDecorator => SetMetadata(NO_AUDIT, true);
