import type { EntityManager } from 'typeorm';
import type { StepState } from '../entities/workflow-run.entity';

/** Runs' step states by run id, each by step id. */
export type StepsByRun = Map<string, Record<string, StepState>>;

/**
 * Every statement on `workflow_run_steps`: a run's step states, a row per step. Steps are read back in the
 * order a run's `steps` document kept its keys (shorter ids first, then by bytes), so what is shown of a run
 * does not depend on where its states are stored.
 */
export class RunStepRows {
  constructor(private readonly em: EntityManager) {}

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

  /** The states of these steps of one run (those it has). */
  async some(runId: string, stepIds: readonly string[]): Promise<Record<string, StepState>> {
    if (!stepIds.length) return {};
    const rows = (await this.em.query(
      `SELECT step_id AS id, state FROM workflow_run_steps WHERE run_id = $1 AND step_id = ANY($2::varchar[])`,
      [runId, stepIds],
    )) as { id: string; state: StepState }[];
    return Object.fromEntries(rows.map((r) => [r.id, r.state]));
  }

  /** Writes these steps' states; a row whose state did not change is left as it is. */
  async write(runId: string, steps: Record<string, StepState>): Promise<void> {
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
