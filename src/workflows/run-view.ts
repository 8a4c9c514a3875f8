import type { DecisionReceiptDto } from './dto/decision-receipt.dto';
import { Page } from '../common/http/envelope';
import type { RunListItemDto } from './dto/run-list-item.dto';
import type { WorkflowRunDto } from './dto/workflow-run.dto';
import type { StepDecision, StepState, WorkflowRunEntity } from './entities/workflow-run.entity';
import type { ListedRun, StepOutline } from './persistence/run-list';
import { stepKind } from './workflow-definition';

/** A step's state as a view reads it: read whole, or as a list reads it (its times null when absent). */
type StepSource = Pick<StepState, 'status' | 'taskId' | 'output' | 'error'> & {
  waitUntil?: string | null;
  approvalDeadline?: string | null;
  decision?: StepDecision | null;
};

/** What a run's view is made of: the run read whole, or as a list reads it ({@link ListedRun}). */
type RunSource = Omit<WorkflowRunEntity, 'definition' | 'steps'> & {
  definition: readonly StepOutline[];
  steps: Record<string, StepSource>;
};

/** A run as the API returns it (`GET /workflow-runs/:id`), for the routes and for webhooks. */
export function runDto(r: RunSource): WorkflowRunDto {
  return {
    id: r.id,
    workflowId: r.workflowId,
    workflowVersion: r.workflowVersion,
    status: r.status,
    input: r.input,
    output: r.output ?? null,
    steps: r.definition.map((s) => {
      const { status, taskId, output, error, waitUntil, approvalDeadline, decision } = r.steps[s.id];
      return {
        id: s.id,
        kind: stepKind(s),
        status,
        taskId,
        output,
        error,
        waitUntil: waitUntil ?? null,
        approvalDeadline: approvalDeadline ?? null,
        decision: decision ?? null,
        permission: s.kind === 'approval' ? (s.permission ?? null) : null,
      };
    }),
    tags: r.tags,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

/** A decided approval step without its run: what a decider who may not read the run is told. */
export function decisionReceipt(r: WorkflowRunEntity, stepId: string): DecisionReceiptDto {
  const { status, decision } = r.steps[stepId];
  return { runId: r.id, step: { id: stepId, status, decision: decision! } };
}

/**
 * A run as a list shows it (`GET /workflow-runs`): its input and output null and flagged when over the list's
 * bound, its steps' outputs always null, flagged when there is one; its steps null and flagged when the run has
 * more than the list carries, their number always.
 */
export function listedRunDto(r: ListedRun): RunListItemDto {
  const run = runDto(r);
  const steps = run.steps.map((step) => ({ ...step, outputOmitted: r.steps[step.id].outputOmitted }));
  return {
    ...run,
    steps: r.stepsOmitted ? null : steps,
    stepCount: r.stepCount,
    openStepCount: r.openSteps,
    stepsOmitted: r.stepsOmitted,
    inputOmitted: r.inputOmitted,
    outputOmitted: r.outputOmitted,
  };
}

/** Said of every list of runs: what a page leaves out. */
export const RUN_LIST_BOUND =
  'A run’s input and output over 64 KiB as JSON are left out of the list (null, with `inputOmitted` or ' +
  '`outputOmitted` true), and no step’s output is in it (null; the step’s `outputOmitted` true when it has one), ' +
  'so a page’s size does not grow with what its runs’ steps produced; ' +
  '`GET /workflow-runs/:runId` has them whole.';

/** A page of listed runs, as their views. */
export function runPage(page: Page<ListedRun>): Page<RunListItemDto> {
  return new Page(page.items.map(listedRunDto), page.total, page.skip, page.limit);
}
