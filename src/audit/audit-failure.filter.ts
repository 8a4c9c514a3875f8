import { type ArgumentsHost, Catch } from '@nestjs/common';
import type { Request } from 'express';
import { AllExceptionsFilter } from '../common/http/all-exceptions.filter';
import { auditTrailOf } from './audit-request';
import { AuditTrails } from './audit-trails';

/**
 * The error answer of a route `@AuditAction` marks, with its audit entry: a request that its guards let in
 * and that failed afterwards (its body, the handler) is written as a failure before it is answered. A request
 * the guards refused has no trail: the auth guard audits refusals.
 */
@Catch()
export class AuditFailureFilter extends AllExceptionsFilter {
  constructor(private readonly trails: AuditTrails) {
    super();
  }

  override catch(err: unknown, host: ArgumentsHost): void {
    const trail = host.getType() === 'http' ? auditTrailOf(host.switchToHttp().getRequest<Request>()) : undefined;
    if (!trail) {
      super.catch(err, host);
      return;
    }
    void this.trails.failed(trail, err).then(() => super.catch(err, host));
  }
}
