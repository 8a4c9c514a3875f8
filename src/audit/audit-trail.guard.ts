import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuditTrails } from './audit-trails';

/**
 * Refuses nothing: on a route whose `@AuditAction` has `explicitContext`, it opens the request's audit trail
 * once the global guards have let the request in, before its body is validated. Success is written by the
 * route's services (with `@RequestAuditContext()`), a failure by {@link AuditFailureFilter}, a timeout when
 * its 504 is sent.
 */
@Injectable()
export class AuditTrailGuard implements CanActivate {
  constructor(private readonly trails: AuditTrails) {}

  canActivate(context: ExecutionContext): boolean {
    this.trails.openFor(context);
    return true;
  }
}
