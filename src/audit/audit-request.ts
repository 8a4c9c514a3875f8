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
