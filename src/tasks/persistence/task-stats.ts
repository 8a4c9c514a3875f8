import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ReadDatabase } from '../../database/read-database';
import { TASK_STATUSES, type TaskStatus } from '../task';

export type StatusCounts = Record<TaskStatus, number>;

export interface TaskBucket extends StatusCounts {
  start: Date;
}

export interface AgentTypeDurations {
  agentType: string;
  /** Tasks of the type that finished in the window. */
  finished: number;
  /** 95th percentile of finishedAt − startedAt, in ms; null when none ran. */
  p95Ms: number | null;
}

export interface OutcomeWindow {
  succeeded: number;
  failed: number;
  cancelled: number;
  expired: number;
  byAgentType: AgentTypeDurations[];
}

export interface TaskStatsSnapshot {
  /** Tasks created in each minute of the last hour (60, oldest first), by their current status. */
  perMinute: TaskBucket[];
  /** Tasks created in each hour of the last day (24, oldest first), by their current status. */
  perHour: TaskBucket[];
  /** Tasks that finished in the last hour and day. */
  lastHour: OutcomeWindow;
  lastDay: OutcomeWindow;
  running: number;
  /** Agents with a task that finished in the last day. */
  recentAgentIds: string[];
}

const BIN_ORIGIN = `TIMESTAMPTZ '2000-01-01 00:00:00+00'`;
// Every status, spelled out: it lets the (status, created_at) index serve a range over created_at alone.
const ANY_STATUS = `t.status IN (${TASK_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Tasks created per bucket by status: $1 bucket width, $2 bucket count (the current bucket last). */
function bucketsSql(own: boolean): string {
  // Inline, not joined from a CTE: the planner then sees the range and aggregates by hash.
  const since = `date_bin($1::interval, now(), ${BIN_ORIGIN}) - ($2::int - 1) * $1::interval`;
  return `
    WITH counts AS (
      SELECT date_bin($1::interval, t.created_at, ${BIN_ORIGIN}) AS start, t.status, count(*)::int AS n
      FROM tasks t
      WHERE ${ANY_STATUS} AND t.created_at >= ${since}${own ? ' AND t.created_by = $3' : ''}
      GROUP BY 1, 2
    )
    SELECT s.start, coalesce(jsonb_object_agg(c.status, c.n) FILTER (WHERE c.status IS NOT NULL), '{}') AS counts
    FROM generate_series(${since}, date_bin($1::interval, now(), ${BIN_ORIGIN}), $1::interval) AS s(start)
    LEFT JOIN counts c ON c.start = s.start
    GROUP BY s.start
    ORDER BY s.start`;
}

/** Outcomes and p95 durations per agent type, for the last hour and the last day, in one pass over the day. */
function outcomesSql(own: boolean): string {
  const hour = `f.finished_at >= now() - interval '1 hour'`;
  const duration = `extract(epoch FROM f.finished_at - f.started_at) * 1000`;
  return `
    SELECT a.type AS "agentType",
      count(*) FILTER (WHERE ${hour})::int AS "finishedHour",
      count(*)::int AS "finishedDay",
      count(*) FILTER (WHERE f.status = 'succeeded' AND ${hour})::int AS "succeededHour",
      count(*) FILTER (WHERE f.status = 'succeeded')::int AS "succeededDay",
      count(*) FILTER (WHERE f.status = 'failed' AND ${hour})::int AS "failedHour",
      count(*) FILTER (WHERE f.status = 'failed')::int AS "failedDay",
      count(*) FILTER (WHERE f.status = 'expired' AND ${hour})::int AS "expiredHour",
      count(*) FILTER (WHERE f.status = 'expired')::int AS "expiredDay",
      percentile_cont(0.95) WITHIN GROUP (ORDER BY ${duration}) FILTER (WHERE ${hour}) AS "p95Hour",
      percentile_cont(0.95) WITHIN GROUP (ORDER BY ${duration}) AS "p95Day",
      array_agg(DISTINCT f.agent_id) AS "agentIds"
    FROM (
      SELECT t.agent_id, t.status, t.started_at, t.finished_at FROM tasks t
      WHERE t.finished_at >= now() - interval '1 day'${own ? ' AND t.created_by = $1' : ''}
    ) f
    JOIN agents a ON a.id = f.agent_id
    GROUP BY a.type
    ORDER BY a.type`;
}

const runningSql = (own: boolean) =>
  `SELECT count(*)::int AS n FROM tasks t WHERE t.status = 'running'${own ? ' AND t.created_by = $1' : ''}`;

/** The statements, for measuring them (EXPLAIN ANALYZE) on a large table. */
export const TASK_STATS_SQL = { bucketsSql, outcomesSql, runningSql };

interface OutcomeRow {
  agentType: string;
  finishedHour: number;
  finishedDay: number;
  succeededHour: number;
  succeededDay: number;
  failedHour: number;
  failedDay: number;
  expiredHour: number;
  expiredDay: number;
  p95Hour: number | null;
  p95Day: number | null;
  agentIds: string[];
}

function bucket(row: { start: Date; counts: Partial<StatusCounts> }): TaskBucket {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, row.counts[s] ?? 0])) as StatusCounts;
  return { start: row.start, ...counts };
}

function outcomes(rows: OutcomeRow[], window: 'Hour' | 'Day'): OutcomeWindow {
  const sum = (key: keyof OutcomeRow) => rows.reduce((n, r) => n + (r[key] as number), 0);
  const finished = sum(`finished${window}`);
  const succeeded = sum(`succeeded${window}`);
  const failed = sum(`failed${window}`);
  const expired = sum(`expired${window}`);
  return {
    succeeded,
    failed,
    cancelled: finished - succeeded - failed - expired,
    expired,
    byAgentType: rows
      .filter((r) => r[`finished${window}`] > 0)
      .map((r) => {
        const p95 = r[`p95${window}`];
        return {
          agentType: r.agentType,
          finished: r[`finished${window}`],
          p95Ms: p95 === null ? null : Math.round(Number(p95)),
        };
      }),
  };
}

/**
 * Task statistics for the console, aggregated in Postgres: a few statements over the last day of tasks,
 * served by the (status, created_at) index and the partial index on finished_at. A snapshot being computed is
 * shared by the requests for the same one (same scope, same database) that arrive meanwhile: many consoles on
 * the dashboard cost the statements once per round, not once per console. Nothing is kept once it is done.
 */
@Injectable()
export class TaskStats {
  /** Snapshots being computed, by the database read and the scope (`*`, or the creator's id). */
  private readonly computing = new Map<DataSource, Map<string, Promise<TaskStatsSnapshot>>>();

  constructor(private readonly readDb: ReadDatabase) {}

  /** A replica when one is configured and the request allows it (see {@link ReadDatabase}). */
  private get dataSource(): DataSource {
    return this.readDb.reader();
  }

  /** Every task, or only those `createdBy` created; the one being computed for the same, if there is one. */
  snapshot(createdBy?: string): Promise<TaskStatsSnapshot> {
    const dataSource = this.dataSource;
    const key = createdBy ?? '*';
    let byScope = this.computing.get(dataSource);
    const shared = byScope?.get(key);
    if (shared) return shared;
    if (!byScope) this.computing.set(dataSource, (byScope = new Map()));
    const computed = this.compute(dataSource, createdBy).finally(() => byScope.delete(key));
    byScope.set(key, computed);
    return computed;
  }

  private async compute(dataSource: DataSource, createdBy: string | undefined): Promise<TaskStatsSnapshot> {
    const own = createdBy !== undefined;
    const scope = own ? [createdBy] : [];
    const [perMinute, perHour, outcomeRows, running] = await Promise.all([
      dataSource.query(bucketsSql(own), ['1 minute', 60, ...scope]),
      dataSource.query(bucketsSql(own), ['1 hour', 24, ...scope]),
      dataSource.query(outcomesSql(own), scope),
      dataSource.query(runningSql(own), scope),
    ]);
    return {
      perMinute: (perMinute as { start: Date; counts: Partial<StatusCounts> }[]).map(bucket),
      perHour: (perHour as { start: Date; counts: Partial<StatusCounts> }[]).map(bucket),
      lastHour: outcomes(outcomeRows as OutcomeRow[], 'Hour'),
      lastDay: outcomes(outcomeRows as OutcomeRow[], 'Day'),
      running: (running as { n: number }[])[0].n,
      recentAgentIds: [...new Set((outcomeRows as OutcomeRow[]).flatMap((r) => r.agentIds))],
    };
  }
}
