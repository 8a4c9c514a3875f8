import type { Request } from 'express';
import type { Principal } from '../auth/principal';
import { requestIdOf } from '../common/http/request-context';
import type { AuditRequestContext } from './audit-context';
import type { AuditActionMeta } from './audit.metadata';

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

const AUDIT_TRAIL = Symbol('auditTrail');

/**
 * The audit entry a state-changing request owes, from the moment it is let in until it is written: once, with
 * the request's first outcome (a timeout comes before the handler's late result).
 */
export interface AuditTrail {
  readonly meta: AuditActionMeta;
  readonly context: AuditRequestContext;
  /** The `:id` of the route, if it has one. */
  readonly resourceId: string | null;
  settled: boolean;
  /** Answered 504 before its work ended: it is settled by how that work ends, a failure as the timeout. */
  timedOut?: boolean;
  /** Settles a timed-out trail whose work has not ended after many deadlines; cleared once it settles. */
  stuck?: NodeJS.Timeout;
}

/** Kept on the request while it is served (see `AuditTrails.open`). */
export function attachAuditTrail(req: Request, trail: AuditTrail): void {
  (req as Request & { [AUDIT_TRAIL]?: AuditTrail })[AUDIT_TRAIL] = trail;
}

export function auditTrailOf(req: Request): AuditTrail | undefined {
  return (req as Request & { [AUDIT_TRAIL]?: AuditTrail })[AUDIT_TRAIL];
}
