import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { AUDIT_ACTION, type AuditActionMeta } from './audit.metadata';
import { isStateChanging } from './audit-request';
import { AuditTrails } from './audit-trails';

/**
 * Refuses nothing: on a route whose `@AuditAction` has `explicitContext`, it opens the request's audit trail
 * once the global guards have let the request in, before its body is validated. Success is written by the
 * route's services (with `@RequestAuditContext()`), a failure by {@link AuditFailureFilter}, a timeout when
 * its 504 is sent.
 */
@Injectable()
export class AuditTrailGuard implements CanActivate {
  constructor(
    private readonly trails: AuditTrails,
    private readonly reflector: CachedReflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const meta = this.reflector.get<AuditActionMeta | undefined>(AUDIT_ACTION, context.getHandler());
    if (meta && isStateChanging(req.method)) this.trails.open(req, meta);
    return true;
  }
}
