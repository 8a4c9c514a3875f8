import { SetMetadata } from '@nestjs/common';

export const AUDIT_ACTION = 'ymera:audit-action';
export interface AuditActionMeta {
  action: string;
  resourceType?: string;
}

/** Names the audit entry a state-changing route writes (`task.create`, resource `task`). */
export const AuditAction = (action: string, resourceType?: string): MethodDecorator =>
  SetMetadata(AUDIT_ACTION, { action, resourceType } satisfies AuditActionMeta);

export const NO_AUDIT = 'ymera:no-audit';
/** For high-volume public ingest that changes no state worth auditing. */
export const NoAudit = (): MethodDecorator & ClassDecorator => SetMetadata(NO_AUDIT, true);
