import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AuditInterceptor } from './audit.interceptor';
import { AUDIT_ACTION, type AuditActionMeta, NO_AUDIT } from './audit.metadata';

export { AUDIT_ACTION, type AuditActionMeta, NO_AUDIT } from './audit.metadata';

/**
 * Names the audit entry a state-changing route writes (`task.create`, resource `task`), and puts the audit
 * interceptor on the route, which writes it.
 */
export const AuditAction = (action: string, resourceType?: string): MethodDecorator =>
  applyDecorators(
    SetMetadata(AUDIT_ACTION, { action, resourceType } satisfies AuditActionMeta),
    UseInterceptors(AuditInterceptor),
  );

/** For high-volume public ingest that changes no state worth auditing. */
export const NoAudit = (): MethodDecorator & ClassDecorator => SetMetadata(NO_AUDIT, true);
