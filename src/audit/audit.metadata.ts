/** Route metadata the audit log reads (set by the decorators in audit.decorator.ts). */
export const AUDIT_ACTION = 'ymera:audit-action';
export const NO_AUDIT = 'ymera:no-audit';

export interface AuditActionMeta {
  action: string;
  resourceType?: string;
}
