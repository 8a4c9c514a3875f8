import type { EntityManager } from 'typeorm';
import type { RunStatus, StepState, WorkflowRunEntity } from '../entities/workflow-run.entity';
import { RunStepRows } from './run-step-rows';

/** A run's own fields, without its definition and steps: what advancing it by one step reads first. */
export interface RunSlice {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: RunStatus;
  input: unknown;
  tags: string[];
  createdBy: string;
  openSteps: number;
}

/** What one step-by-step advance writes: the steps it changed, and how many steps are still open. */
export interface SlicePatch {
  steps: Record<string, StepState>;
  openSteps: number;
}

/**
 * The statements that read and change a run a few steps at a time, so that advancing a run of 500 steps
 * reads and writes what one event touched, not the whole run: the run's row, and the rows of those steps.
 */
export class RunSlices {
  /**
   * The statements on the steps' rows, on the same manager: a run's transaction reads and writes its steps
   * through these alone, for slices and whole runs alike.
   */
  readonly rows: RunStepRows;

  constructor(private readonly em: EntityManager) {
    this.rows = new RunStepRows(em);
  }

  async read(runId: string, lock: boolean): Promise<RunSlice | undefined> {
    const rows = (await this.em.query(
      `SELECT id, workflow_id AS "workflowId", workflow_version AS "workflowVersion", status, input, tags,
              created_by AS "createdBy", open_steps AS "openSteps"
         FROM workflow_runs WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [runId],
    )) as RunSlice[];
    return rows[0];
  }

  /** The states of these steps only. */
  states(runId: string, stepIds: readonly string[]): Promise<Record<string, StepState>> {
    return this.rows.some(runId, stepIds);
  }

  async patch(runId: string, patch: SlicePatch): Promise<void> {
    await this.rows.write(runId, patch.steps);
    await this.em.query(`UPDATE workflow_runs SET open_steps = $2, updated_at = now() WHERE id = $1`, [
      runId,
      patch.openSteps,
    ]);
  }

  /**
   * Writes a concluded run's status, output and end (and that nothing of it waits), not its steps: they are all
   * over, as written by the advances before.
   */
  async conclude(run: WorkflowRunEntity): Promise<void> {
    const rows = (await this.em.query(
      `WITH concluded AS (
         UPDATE workflow_runs
            SET status = $2, output = $3::jsonb, finished_at = $4, wake_at = NULL, parked = false, open_steps = 0,
                updated_at = now()
          WHERE id = $1
         RETURNING updated_at
       )
       SELECT updated_at AS "updatedAt" FROM concluded`,
      [run.id, run.status, run.output === undefined ? null : JSON.stringify(run.output), run.finishedAt],
    )) as { updatedAt: Date }[];
    Object.assign(run, { wakeAt: null, parked: false, openSteps: 0, updatedAt: rows[0]?.updatedAt ?? run.updatedAt });
  }
}
