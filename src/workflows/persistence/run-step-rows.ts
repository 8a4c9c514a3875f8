import type { EntityManager } from 'typeorm';
import type { StepState } from '../entities/workflow-run.entity';
import type { ListedStepState } from './run-list';

/** Runs' step states by run id, each by step id. */
export type StepsByRun = Map<string, Record<string, StepState>>;

/** Each step's state as JSON, by step id: what a run's steps were when last read or written whole. */
export type StepSnapshot = Map<string, string>;

export function snapshotOf(steps: Record<string, StepState>): StepSnapshot {
  return new Map(Object.entries(steps).map(([id, state]) => [id, JSON.stringify(state)]));
}

/** The steps whose state is not what `before` holds (a step `before` lacks counts as changed). */
export function changedSince(before: StepSnapshot, now: StepSnapshot): string[] {
  return [...now].filter(([id, json]) => before.get(id) !== json).map(([id]) => id);
}

/**
 * What a step task's start does to its step, as part of the tasks' start statement (one round trip, and no lock
 * of the run's row: a start never waits for an advance of its run). `cte` marks the step `running` while it is
 * still `queued` with that task, reading the tasks just started as `started` (`id`, `run_id`, `step_id`); `joins`
 * and `columns` add to each started task's row its run's `step_run_workflow_id`, `step_run_created_by` and
 * `step_run_status` (read, not locked) for the run's event, all null unless it marked a step. A whole save of the
 * run sends only the steps it changed ({@link RunStepRows.writeChanged}): it never puts such a step back.
 */
export const STEP_START = {
  cte: `step_started AS (
         UPDATE workflow_run_steps s
            SET state = jsonb_set(s.state, '{status}', '"running"')
           FROM started t
          WHERE s.run_id = t.run_id AND s.step_id = t.step_id
            AND s.state->>'status' = 'queued' AND s.state->>'taskId' = t.id::text
         RETURNING t.id AS task_id, s.run_id
       )`,
  joins: `LEFT JOIN step_started ss ON ss.task_id = t.id
         LEFT JOIN workflow_runs r ON r.id = ss.run_id`,
  columns: `r.workflow_id AS step_run_workflow_id, r.created_by AS step_run_created_by, r.status AS step_run_status`,
} as const;

/**
 * The other statements on `workflow_run_steps`: a run's step states, a row per step. Steps are read back in the
 * order a run's `steps` document kept its keys (shorter ids first, then by bytes), so what is shown of a run does
 * not depend on where its states are stored.
 */
export class RunStepRows {
  /** The runs read whole by {@link forSave}: their steps as they are in this transaction. */
  private readonly saved = new Map<string, StepSnapshot>();

  constructor(private readonly em: Pick<EntityManager, 'query'>) {}

  /** One run's steps, remembered so that {@link writeChanged} sends only the ones changed since. */
  async forSave(runId: string): Promise<Record<string, StepState>> {
    const steps = (await this.of([runId])).get(runId)!;
    this.saved.set(runId, snapshotOf(steps));
    return steps;
  }

  /**
   * Writes a whole run's steps as a save does, sending only those whose state differs from what {@link forSave}
   * read or this wrote last (all of them for a run it did not read).
   */
  async writeChanged(runId: string, steps: Record<string, StepState>): Promise<void> {
    const now = snapshotOf(steps);
    const before = this.saved.get(runId);
    const changed = before ? changedSince(before, now) : Object.keys(steps);
    await this.upsert(runId, Object.fromEntries(changed.map((id) => [id, steps[id]])));
    this.saved.set(runId, now);
  }

  /** The states of these runs' steps, every run of `runIds` in the map (with no step when it has none). */
  async of(runIds: readonly string[]): Promise<StepsByRun> {
    const byRun: StepsByRun = new Map(runIds.map((id) => [id, {}]));
    if (!runIds.length) return byRun;
    const rows = (await this.em.query(
      `SELECT run_id AS "runId", step_id AS "stepId", state FROM workflow_run_steps
        WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, octet_length(step_id), step_id COLLATE "C"`,
      [runIds],
    )) as { runId: string; stepId: string; state: StepState }[];
    for (const row of rows) byRun.get(row.runId)![row.stepId] = row.state;
    return byRun;
  }

  /**
   * {@link of} for a list: each step's state without its output, and whether it has one. Each state is read
   * once, by `jsonb_to_record`, and its output never leaves Postgres.
   */
  async listed(runIds: readonly string[]): Promise<Map<string, Record<string, ListedStepState>>> {
    const byRun = new Map<string, Record<string, ListedStepState>>(runIds.map((id) => [id, {}]));
    if (!runIds.length) return byRun;
    const rows = (await this.em.query(
      `SELECT s.run_id AS "runId", s.step_id AS "stepId", x.status, x."taskId", x.error, x."waitUntil",
              x."approvalDeadline", x.decision, x.output IS NOT NULL AS "outputOmitted"
         FROM workflow_run_steps s
        CROSS JOIN LATERAL jsonb_to_record(s.state) AS x(status text, "taskId" text, error jsonb,
              "waitUntil" text, "approvalDeadline" text, decision jsonb, output jsonb)
        WHERE s.run_id = ANY($1::uuid[]) ORDER BY s.run_id, octet_length(s.step_id), s.step_id COLLATE "C"`,
      [runIds],
    )) as ({ runId: string; stepId: string } & Omit<ListedStepState, 'output'>)[];
    for (const { runId, stepId, ...state } of rows) byRun.get(runId)![stepId] = { ...state, output: null };
    return byRun;
  }

  /** The states of these steps of one run (those it has). */
  async some(runId: string, stepIds: readonly string[]): Promise<Record<string, StepState>> {
    if (!stepIds.length) return {};
    const rows = (await this.em.query(
      `SELECT step_id AS id, state FROM workflow_run_steps WHERE run_id = $1 AND step_id = ANY($2::varchar[])`,
      [runId, stepIds],
    )) as { id: string; state: StepState }[];
    return Object.fromEntries(rows.map((r) => [r.id, r.state]));
  }

  /**
   * Writes these steps' states; a row whose state did not change is left as it is. A whole save of the run
   * afterwards sends all its steps again, as what it read may be behind this.
   */
  write(runId: string, steps: Record<string, StepState>): Promise<void> {
    this.saved.delete(runId);
    return this.upsert(runId, steps);
  }

  private async upsert(runId: string, steps: Record<string, StepState>): Promise<void> {
    if (!Object.keys(steps).length) return;
    await this.em.query(
      `INSERT INTO workflow_run_steps (run_id, step_id, state)
       SELECT $1, s.key, s.value FROM jsonb_each($2::jsonb) s
       ON CONFLICT (run_id, step_id) DO UPDATE SET state = excluded.state
        WHERE workflow_run_steps.state IS DISTINCT FROM excluded.state`,
      [runId, JSON.stringify(steps)],
    );
  }
}
