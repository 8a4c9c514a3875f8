import { Injectable } from '@nestjs/common';
import type { ConclusionEvent } from '../events/conclusion-events';
import type { Task } from '../tasks/task';
import { TaskLifecycle } from '../tasks/task-lifecycle';
import { taskView } from '../tasks/task-view';
import { RunLifecycle, type WorkflowRun } from './run-lifecycle';
import { runDto } from './run-view';

/** A task or a run that reached a final status, as what builds on it needs it. */
export interface Conclusion {
  event: ConclusionEvent;
  /** The task's or the run's id. */
  id: string;
  createdBy: string;
  /** A task's agent. */
  agentId?: string;
  /** A run's workflow. */
  workflowId?: string;
  /** When it concluded: with the event and the id, which conclusion this is (a task retried concludes again). */
  finishedAt: Date | null;
  /** The task or run as the API returns it (`GET /tasks/:id`, `GET /workflow-runs/:runId`). */
  view(): unknown;
}

/** A finished task's conclusion. */
export const taskConclusion = (task: Task): Conclusion => ({
  event: `task.${task.status}` as ConclusionEvent,
  id: task.id,
  createdBy: task.createdBy,
  agentId: task.agentId,
  finishedAt: task.finishedAt,
  view: () => taskView(task),
});

/** A concluded run's conclusion. */
export const runConclusion = (run: WorkflowRun): Conclusion => ({
  event: `run.${run.status}` as ConclusionEvent,
  id: run.id,
  createdBy: run.createdBy,
  workflowId: run.workflowId,
  finishedAt: run.finishedAt,
  view: () => runDto(run),
});

/**
 * One notice for both kinds of conclusion ({@link TaskLifecycle}, {@link RunLifecycle}), in this process, after
 * the change committed: for webhooks and workflow triggers. A listener's failure is logged, never thrown.
 */
@Injectable()
export class Conclusions {
  constructor(
    private readonly tasks: TaskLifecycle,
    private readonly runs: RunLifecycle,
  ) {}

  on(listener: (conclusion: Conclusion) => Promise<void>): void {
    this.tasks.onFinished((task) => listener(taskConclusion(task)));
    this.runs.onConcluded((run) => listener(runConclusion(run)));
  }
}
