/** Route metadata the audit log reads (set by the decorators in audit.decorator.ts). */
export const AUDIT_ACTION = 'ymera:audit-action';
export const NO_AUDIT = 'ymera:no-audit';

export interface AuditActionMeta {
  action: string;
  resourceType?: string;
  /**
   * The handler takes its audit context as a parameter (`@RequestAuditContext()`) and its services write the
   * entry; the route runs with no interceptor and no async context (see `AuditAction`).
   */
  explicitContext?: boolean;
}
