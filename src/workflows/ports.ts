import type { EventBus } from '../events/event-bus';
import type { TaskSubmission } from '../tasks/task-submission';
import type { TasksService } from '../tasks/tasks.service';
import type { WorkflowRunRepository } from './persistence/workflow-run.repository';
import type { TemplateEvaluator } from './template-evaluator';

/**
 * What the workflow engine needs of its collaborators, as interfaces: Nest injects the real classes, unit
 * specs pass small fakes (test/fakes/workflows.ts).
 */
export type RunStore = Pick<WorkflowRunRepository, 'findById' | 'transaction' | 'oldestRunning'>;
export type StepTaskControl = Pick<TasksService, 'statesOf' | 'cancelIfActive'>;
export type StepTaskSubmission = Pick<TaskSubmission, 'prepare' | 'insertSteps' | 'afterCreate'>;
export type RunEvents = Pick<EventBus, 'publishRun'>;
export type TemplateRenderer = Pick<TemplateEvaluator, 'render'>;
