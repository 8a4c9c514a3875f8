import type { Request } from 'express';
import type { Principal } from '../auth/principal';
import { requestIdOf } from '../common/http/request-context';
import type { AuditRequestContext } from './audit-context';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

export type AuthenticatedRequest = Request & { principal?: Principal };

export function auditContextOf(req: Request): AuditRequestContext {
  return {
    principal: (req as AuthenticatedRequest).principal,
    ip: req.ip ?? null,
    userAgent: req.headers['user-agent'] ?? null,
    requestId: requestIdOf(req) || null,
    recorded: false,
  };
}

const AUDIT_CONTEXT = Symbol('auditContext');

/** Kept on the request by the audit interceptor, for `@RequestAuditContext()`. */
export function attachAuditContext(req: Request, context: AuditRequestContext): void {
  (req as Request & { [AUDIT_CONTEXT]?: AuditRequestContext })[AUDIT_CONTEXT] = context;
}

export function auditContextAttachedTo(req: Request): AuditRequestContext {
  const context = (req as Request & { [AUDIT_CONTEXT]?: AuditRequestContext })[AUDIT_CONTEXT];
  // A programming error, caught by the first request: the route's @AuditAction lacks explicitContext.
  if (!context) throw new Error('@RequestAuditContext() needs @AuditAction(…, { explicitContext: true }) on its route');
  return context;
}
