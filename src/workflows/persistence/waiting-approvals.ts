import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A waiting approval step someone may decide, and of its run only what tells it apart. */
export interface WaitingApproval {
  runId: string;
  workflowId: string;
  workflowName: string;
  stepId: string;
  /** The permission the step names (its holders decide it), or null: the run's creator or an admin does. */
  permission: string | null;
  /** When the step is rejected if nobody decides it (ISO time), or null. */
  approvalDeadline: string | null;
  runCreatedAt: Date;
  /** Whether the decider may read the run itself (its creator, or an admin). */
  mayReadRun: boolean;
}

/** Who asks, as far as deciding goes (see `decisionAccess`). */
export interface Decider {
  userId: string;
  admin: boolean;
  permissions: readonly string[];
}

/**
 * The waiting approval steps of running runs that a decider may decide, as `decisionAccess` says one may: a
 * step naming a permission by its holders (on anyone's run), any other by whoever may change the run (its
 * creator holding `workflows:write`, or an admin with it). Read from the running runs (an index on status)
 * and their waiting steps; a run's definition gives each step's permission.
 */
@Injectable()
export class WaitingApprovals {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(decider: Decider, skip: number, limit: number): Promise<{ items: WaitingApproval[]; total: number }> {
    const params = [
      decider.permissions,
      decider.userId,
      decider.admin,
      decider.permissions.includes('workflows:write'),
    ];
    const from = `FROM workflow_runs r
      JOIN workflow_run_steps s ON s.run_id = r.id
      JOIN workflows w ON w.id = r.workflow_id
      CROSS JOIN LATERAL (
        SELECT d->>'permission' AS permission FROM jsonb_array_elements(r.definition) d
         WHERE d->>'id' = s.step_id LIMIT 1) def
     WHERE r.status = 'running' AND s.state->>'status' = 'waiting' AND s.state->>'kind' = 'approval'
       AND (s.state->>'approvalDeadline' IS NULL OR (s.state->>'approvalDeadline')::timestamptz > now())
       AND (def.permission = ANY($1::text[]) OR (def.permission IS NULL AND $4 AND ($3 OR r.created_by = $2)))`;
    const [items, [{ total }]] = (await Promise.all([
      this.dataSource.query(
        `SELECT r.id AS "runId", r.workflow_id AS "workflowId", w.name AS "workflowName", s.step_id AS "stepId",
                def.permission, s.state->>'approvalDeadline' AS "approvalDeadline", r.created_at AS "runCreatedAt",
                ($3 OR r.created_by = $2) AS "mayReadRun"
           ${from}
          ORDER BY r.created_at, r.id, s.step_id OFFSET $5 LIMIT $6`,
        [...params, skip, limit],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total ${from}`, params),
    ])) as [WaitingApproval[], { total: number }[]];
    return { items, total };
  }
}
