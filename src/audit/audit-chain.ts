import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

const stableStringify = configure({ deterministic: true, bigint: true });

export const GENESIS_HASH = '0'.repeat(64);

/** The select list of `audit_logs` that reads an entry as {@link ChainedFields} and its `hash`. */
export const CHAINED_COLUMNS = `id, seq, "timestamp", actor_type AS "actorType", actor_id AS "actorId", action,
  resource_type AS "resourceType", resource_id AS "resourceId", outcome, ip, user_agent AS "userAgent",
  request_id AS "requestId", details, prev_hash AS "prevHash", hash`;

/** The fields an entry's hash covers. */
export interface ChainedFields {
  id: string;
  seq: string;
  timestamp: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
}

/** SHA-256 over a canonical (key-sorted) JSON of the entry and the previous entry's hash. */
export function entryHash(e: ChainedFields): string {
  const canonical = stableStringify({
    id: e.id,
    seq: String(e.seq),
    timestamp: e.timestamp.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    outcome: e.outcome,
    ip: e.ip,
    userAgent: e.userAgent,
    requestId: e.requestId,
    details: e.details,
    prevHash: e.prevHash,
  });
  return createHash('sha256')
    .update(canonical ?? '')
    .digest('hex');
}

/** Why an entry breaks the chain after `prevHash`: its link to the entry before, or its own hash; undefined when it holds. */
export function chainBreak(entry: ChainedFields & { hash: string }, prevHash: string): 'link' | 'hash' | undefined {
  if (entry.prevHash !== prevHash) return 'link';
  return entryHash(entry) !== entry.hash ? 'hash' : undefined;
}
