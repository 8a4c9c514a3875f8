import type { EventBus } from '../events/event-bus';
import type { TaskBulkActions } from '../tasks/task-bulk-actions';
import type { TaskSubmission } from '../tasks/task-submission';
import type { TasksService } from '../tasks/tasks.service';
import type { WaitingApprovals } from './persistence/waiting-approvals';
import type { WorkflowRunRepository } from './persistence/workflow-run.repository';
import type { StepDecisions } from './step-decisions';
import type { StepWaitQueue } from './step-wait-queue';
import type { TemplateEvaluator } from './template-evaluator';
import type { WorkflowEngine } from './workflow-engine';
import type { Metrics } from '../metrics/metrics.service';

/**
 * What the workflow engine needs of its collaborators, as interfaces: Nest injects the real classes, unit
 * specs pass small fakes (test/fakes/workflows.ts).
 */
export type RunStore = Pick<WorkflowRunRepository, 'findById' | 'transaction' | 'oldestRunning'>;
/** A run read a few steps at a time, for advancing it step by step. */
export type RunSlices = Pick<WorkflowRunRepository, 'readSlice' | 'states' | 'definitionOf'>;
export type StepTaskControl = Pick<TasksService, 'statesOf'>;
/** Cancels a run's step tasks in its transaction. */
export type StepTaskCancel = Pick<TaskBulkActions, 'cancelIn'>;
export type StepTaskSubmission = Pick<TaskSubmission, 'prepare' | 'insertSteps' | 'afterCreate'>;
export type RunEvents = Pick<EventBus, 'publishRun'>;
export type TemplateRenderer = Pick<TemplateEvaluator, 'render' | 'renderInline'>;
export type StepWaitJobs = Pick<StepWaitQueue, 'add' | 'remove'>;
export type RunAdvance = Pick<WorkflowEngine, 'advance'>;
export type ApprovalMetrics = Pick<Metrics, 'approvalDecided'>;
export type WaitingSteps = Pick<WaitingApprovals, 'page'>;
export type WaitingRuns = Pick<WorkflowRunRepository, 'wakingBefore'>;
export type DueWaits = Pick<StepDecisions, 'fireDue'>;
