import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuditTrails } from './audit-trails';

/**
 * Refuses nothing: on a route `@AuditAction` marks, it opens the request's audit trail once the global guards
 * have let the request in, before its body is validated (see {@link AuditTrails}).
 */
@Injectable()
export class AuditTrailGuard implements CanActivate {
  constructor(private readonly trails: AuditTrails) {}

  canActivate(context: ExecutionContext): boolean {
    this.trails.openFor(context);
    return true;
  }
}
