import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuditRequestContext } from '../audit/audit-context';
import type { Permission } from '../auth/permissions';
import { isAdmin, lacking, type Principal } from '../auth/principal';
import { ForbiddenError, InvalidStateError, NotFoundError } from '../common/errors/app.error';
import { EventBus } from '../events/event-bus';
import { Metrics } from '../metrics/metrics.service';
import type { WorkflowRunEntity } from './entities/workflow-run.entity';
import { type Decider, type WaitingApproval, WaitingApprovals } from './persistence/waiting-approvals';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import type { ApprovalMetrics, RunAdvance, RunEvents, RunStore, WaitingSteps } from './ports';
import { runChange, snapshotOf } from './run-change';
import { decide, dueAt, resolveIfDue } from './step-waits';
import { stepKind, type WorkflowStep } from './workflow-definition';
import { WorkflowEngine } from './workflow-engine';

/** Whether the caller may read the run: its creator, or an admin (anyone else is told it does not exist). */
export function seesRun(principal: Principal, run: Pick<WorkflowRunEntity, 'createdBy'>): boolean {
  return isAdmin(principal) || run.createdBy === principal.userId;
}

/**
 * Whether the caller may decide a run's approval step: `hidden` when they may not even see the run (someone
 * else's, and the step names no permission of theirs), `forbidden` when they see it but may not decide.
 * A step naming a permission is decided by its holders, the run's creator included only if they hold it;
 * otherwise by whoever may change the run (its creator with `workflows:write`, or an admin).
 */
export function decisionAccess(
  principal: Principal,
  run: WorkflowRunEntity,
  step: WorkflowStep | undefined,
): 'allowed' | 'hidden' | 'forbidden' {
  const visible = seesRun(principal, run);
  const permission = step?.kind === 'approval' ? step.permission : undefined;
  if (permission && principal.permissions.has(permission)) return 'allowed';
  if (!visible) return 'hidden';
  return !permission && principal.permissions.has('workflows:write') ? 'allowed' : 'forbidden';
}

/**
 * The caller as {@link WaitingApprovals} reads it: the facts {@link decisionAccess} and {@link seesRun} decide by,
 * for the same rule in SQL (a shared test runs both over the same principals and steps).
 */
export function deciderOf(principal: Principal): Decider {
  return { userId: principal.userId, admin: isAdmin(principal), permissions: [...principal.permissions] };
}

/** What deciding the step takes: the permission it names, else `workflows:write` (changing the run). */
export function decisionPermission(step: WorkflowStep | undefined): Permission {
  return (step?.kind === 'approval' ? step.permission : undefined) ?? 'workflows:write';
}

/**
 * Resolves steps that wait: a person's approve or reject, a wait's end, an approval's timeout. Each happens
 * under the run's row lock and only to a step still `waiting`, so a step resolves exactly once, whichever of
 * the job, the reconciler, a second worker or a second request gets there first; the run then advances.
 */
@Injectable()
export class StepDecisions {
  private readonly logger = new Logger(StepDecisions.name);

  constructor(
    @Inject(WorkflowRunRepository) private readonly runs: RunStore,
    @Inject(WorkflowEngine) private readonly engine: RunAdvance,
    @Inject(EventBus) private readonly events: RunEvents,
    @Inject(Metrics) private readonly metrics: ApprovalMetrics,
    @Inject(WaitingApprovals) private readonly waiting: WaitingSteps,
  ) {}

  /** The waiting approval steps of running runs that the caller may decide (as {@link decide} allows), a page of them. */
  waitingFor(principal: Principal, skip: number, limit: number): Promise<{ items: WaitingApproval[]; total: number }> {
    return this.waiting.page(deciderOf(principal), skip, limit);
  }

  /** Approves or rejects a waiting approval step, with its audit entry; returns the run after it advanced. */
  async decide(
    principal: Principal,
    runId: string,
    stepId: string,
    approved: boolean,
    comment: string | undefined,
    audit?: AuditRequestContext,
  ): Promise<WorkflowRunEntity> {
    const decided = await this.runs.transaction(async (tx) => {
      const locked = await tx.lock(runId);
      const step = locked?.definition.find((s) => s.id === stepId);
      const access = locked ? decisionAccess(principal, locked, step) : 'hidden';
      if (!locked || access === 'hidden') throw new NotFoundError('Workflow run');
      if (!step) throw new NotFoundError('Workflow step');
      if (access === 'forbidden')
        throw new ForbiddenError(lacking(principal, [decisionPermission(step)], 'Deciding this step'));
      if (step.kind !== 'approval')
        throw new InvalidStateError(`Step "${stepId}" is a ${stepKind(step)} step: only approval steps are decided`);
      const state = locked.steps[stepId];
      // Said without the run's status: a decider by permission may not read the run.
      if (locked.status !== 'running')
        throw new InvalidStateError(`Step "${stepId}" is not waiting for a decision: its run has ended`);
      if (state.status !== 'waiting')
        throw new InvalidStateError(`Step "${stepId}" is ${state.status}, not waiting for a decision`);
      const now = new Date();
      // Its deadline passed while no worker applied it yet (workers down or behind): it timed out all the same.
      const deadline = dueAt(state);
      if (deadline && deadline.getTime() <= now.getTime()) return { late: deadline };
      const before = snapshotOf(locked.steps);
      decide(state, approved, principal.userId, comment ?? null, now);
      await tx.save(locked);
      await tx.audit(
        {
          action: approved ? 'workflow_run.step_approve' : 'workflow_run.step_reject',
          outcome: 'success',
          resourceType: 'workflowRun',
          resourceId: runId,
          details: { stepId, comment: comment ?? null },
        },
        audit,
      );
      // The decided step only: the run's other steps as read here may be older than events sent since.
      return { late: undefined, run: locked, event: runChange(locked, before) };
    });
    if (decided.late) {
      // Applied here, as a worker would have: the run goes on without waiting for one.
      await this.fireDue(runId).catch((err: Error) =>
        this.logger.warn(`timeout of ${runId} ${stepId}: ${err.message}`),
      );
      throw new InvalidStateError(
        `Step "${stepId}" timed out at ${decided.late.toISOString()}, before this decision: it can no longer be decided`,
      );
    }
    const { run, event } = decided;
    this.metrics.approvalDecided(approved ? 'approved' : 'rejected');
    if (event) this.events.publishRun(event);
    // The decision stands once committed; a run it did not advance here is advanced by the sweeper.
    const advanced = await this.engine.advance(runId).catch((err: Error) => {
      this.logger.warn(`advance ${runId} after a decision: ${err.message}`);
      return undefined;
    });
    return advanced ?? run;
  }

  /**
   * Resolves the run's waiting steps that are due (waits end, approvals time out) and advances the run.
   * Returns when `stepId` is due, if it still waits for a time not yet come (a job that fired early).
   */
  async fireDue(runId: string, stepId?: string, now = new Date()): Promise<Date | undefined> {
    const result = await this.runs.transaction(async (tx) => {
      const run = await tx.lock(runId);
      if (!run || run.status !== 'running') return undefined;
      const before = snapshotOf(run.steps);
      const resolved = Object.entries(run.steps).filter(([, state]) => resolveIfDue(state, now));
      const later = stepId && run.steps[stepId] ? dueAt(run.steps[stepId]) : undefined;
      if (!resolved.length) return { later };
      await tx.save(run);
      const timedOut = resolved.filter(([, state]) => state.decision?.outcome === 'timed_out').map(([id]) => id);
      for (const id of timedOut) {
        await tx.audit({
          action: 'workflow_run.step_timeout',
          outcome: 'success',
          resourceType: 'workflowRun',
          resourceId: runId,
          details: { stepId: id },
        });
      }
      // The steps resolved only: the run's other steps as read here may be older than events sent since.
      return { run, event: runChange(run, before), timedOut: timedOut.length, later };
    });
    if (result?.run) {
      for (let i = 0; i < (result.timedOut ?? 0); i++) this.metrics.approvalDecided('timed_out');
      if (result.event) this.events.publishRun(result.event);
      await this.engine.advance(runId);
    }
    return result?.later;
  }
}
