import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { refuseBody } from '../common/http/content-type.middleware';
import { refuseUnreadQuery } from '../common/http/declared-query.guard';
import { AuditTrails } from './audit-trails';

/**
 * On a route `@AuditAction` marks, it opens the request's audit trail once the global guards have let the request
 * in, before its body is validated (see {@link AuditTrails}); then refuses a body refused as it was read, and query
 * keys the route does not read, which the global guard left to it, so that both refusals are audited.
 */
@Injectable()
export class AuditTrailGuard implements CanActivate {
  constructor(private readonly trails: AuditTrails) {}

  canActivate(context: ExecutionContext): boolean {
    this.trails.openFor(context);
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    refuseBody(req);
    refuseUnreadQuery(req);
    return true;
  }
}
