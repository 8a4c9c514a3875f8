import type { Principal } from '../auth/principal';

/**
 * What the audit log needs to know about the request being served: handed to the services by the route's
 * handler (`@RequestAuditContext()`), which pass it to every entry they write for the request.
 */
export interface AuditRequestContext {
  principal?: Principal;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /**
   * How the request's own entry was written, if it was: `committed` on its own, or `transaction` inside a
   * service's transaction (which may still roll back, in which case the failure still needs its entry);
   * `waived` when the request owes none ({@link waiveAuditEntry}); `replay` when its success owes none
   * ({@link answeredByEarlierRequest}).
   */
  recorded: 'committed' | 'transaction' | 'waived' | 'replay' | false;
}

/**
 * Says the request owes no entry, not even for its error answer: it presented nothing to act on (no credential,
 * no resource) and changed nothing. For public routes that anyone may call, where an entry per call would let
 * anonymous traffic write to the log. An entry a service writes afterwards is still written.
 */
export function waiveAuditEntry(context: AuditRequestContext): void {
  context.recorded = 'waived';
}

/**
 * Says the request is answered with what an earlier one made (the same Idempotency-Key): it changed nothing,
 * and the earlier request's entry records the change, so its success owes none. A refusal still gets one.
 */
export function answeredByEarlierRequest(context: AuditRequestContext | undefined): void {
  if (context) context.recorded = 'replay';
}
