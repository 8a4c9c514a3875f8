import { AsyncLocalStorage } from 'node:async_hooks';

/** What the last lag check found: `unset` when no replica is configured. */
export type ReplicaCondition = 'unset' | 'streaming' | 'lagging' | 'down';

export interface ReplicaState {
  condition: ReplicaCondition;
  /** Milliseconds the replica's replay is behind; null when it could not be measured. */
  lagMs: number | null;
  /** Why the replica is not used, when it is not. */
  reason?: string;
  checkedAt?: Date;
}

/** How one HTTP request may read: `primary` when it must see its caller's own writes. */
export interface ReadContext {
  primary: boolean;
}

/**
 * The read context of the HTTP request being served. Outside a request (jobs, the worker, the CLI) there is
 * none, and reads go to the primary: only requests opt in to a replica's slightly older view.
 */
export const readContext = new AsyncLocalStorage<ReadContext>();

/** The replica's condition from one measurement. */
export function conditionOf(lagMs: number, maxLagMs: number): ReplicaCondition {
  return lagMs > maxLagMs ? 'lagging' : 'streaming';
}

/** Whether a read may go to the replica: one is streaming within the lag limit and the request allows it. */
export function mayUseReplica(state: ReplicaState, context: ReadContext | undefined): boolean {
  return state.condition === 'streaming' && context !== undefined && !context.primary;
}

/** The `Consistency` request header: `strong` sends the request's reads to the primary. */
export const CONSISTENCY_HEADER = 'consistency';

/**
 * Whether a request must read from the primary: anything but GET/HEAD (it writes, and what it reads after
 * its write must see it), `Consistency: strong`, or a caller that wrote within the read-your-writes window.
 */
export function needsPrimary(method: string, consistency: unknown, wroteRecently: boolean): boolean {
  if (method !== 'GET' && method !== 'HEAD') return true;
  if (typeof consistency === 'string' && consistency.trim().toLowerCase() === 'strong') return true;
  return wroteRecently;
}

/**
 * Measures a standby's replay lag in one cheap statement. `now() - pg_last_xact_replay_timestamp()` alone
 * grows while the primary is idle: while the standby streams and has replayed all it received, it is
 * current and the lag is 0 (after a restart the received position restarts at a segment start, below the
 * replayed one). While it does not stream, the age of its last replayed commit is what it may be behind. On
 * a server that is not in recovery (a primary named as the replica) the lag is 0.
 */
export const LAG_SQL = `
  SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()
      AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0)
  END::float8 AS lag_ms`;
