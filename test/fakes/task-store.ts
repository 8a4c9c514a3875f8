import { LISTED_JSON_MAX_BYTES } from '../../src/database/listed-json';
import type { FinishCursor } from '../../src/common/finish-cursor';
import type { AuditRequestContext } from '../../src/audit/audit-context';
import type { AuditEvent } from '../../src/audit/audit.service';
import {
  boundedTotal,
  LIST_TOTAL_CAP,
  type TaskListFilter,
  type TaskListPage,
} from '../../src/tasks/persistence/task-list';
import type { StepTaskState } from '../../src/tasks/persistence/task.repository';
import type { TaskStore } from '../../src/tasks/ports';
import { FINAL_STATUSES, type Task } from '../../src/tasks/task';
import {
  IdempotencyConflictError,
  TaskNotCancellableError,
  TaskNotFoundError,
  TaskNotRetryableError,
} from '../../src/tasks/tasks.errors';

/**
 * The tasks' table in memory, with the repository's rules: an idempotency key is used once per creator,
 * transitions are guarded on the status, and every change comes with its audit entry.
 */
export class FakeTaskStore implements TaskStore {
  readonly tasks = new Map<string, Task>();
  readonly audit: { event: AuditEvent; context?: AuditRequestContext }[] = [];

  async insert(task: Task, event: AuditEvent, context?: AuditRequestContext): Promise<boolean> {
    if (task.idempotencyKey && (await this.findByIdempotencyKeys(task.createdBy, [task.idempotencyKey])).length)
      return false;
    this.tasks.set(task.id, structuredClone(task));
    this.audit.push({ event, context });
    return true;
  }

  async insertBatch(tasks: Task[], event: AuditEvent, context?: AuditRequestContext): Promise<boolean> {
    const [first] = tasks;
    const taken = await this.findByIdempotencyKeys(
      first.createdBy,
      tasks.flatMap((t) => t.idempotencyKey ?? []),
    );
    if (taken.length && taken.length < tasks.length) throw new IdempotencyConflictError();
    if (taken.length) return false;
    for (const task of tasks) this.tasks.set(task.id, structuredClone(task));
    this.audit.push({ event, context });
    return true;
  }

  async findByIdempotencyKeys(createdBy: string, keys: string[]): Promise<Task[]> {
    return keys.flatMap((key) =>
      [...this.tasks.values()].filter((t) => t.createdBy === createdBy && t.idempotencyKey === key),
    );
  }

  async insertInTransaction(_em: unknown, tasks: Task[], event: AuditEvent): Promise<void> {
    for (const task of tasks) this.tasks.set(task.id, structuredClone(task));
    this.audit.push({ event });
  }

  async finishedSince(
    filter: { createdBy: string; agentId?: string; statuses: string[]; since: Date },
    limit: number,
  ): Promise<{ id: string; at: Date }[]> {
    return [...this.tasks.values()]
      .filter(
        (t) =>
          t.createdBy === filter.createdBy &&
          (!filter.agentId || t.agentId === filter.agentId) &&
          filter.statuses.includes(t.status) &&
          t.finishedAt !== null &&
          t.finishedAt > filter.since,
      )
      .sort((a, b) => a.finishedAt!.getTime() - b.finishedAt!.getTime())
      .slice(0, limit)
      .map(({ id, finishedAt }) => ({ id, at: finishedAt! }));
  }

  async findById(id: string): Promise<Task | undefined> {
    const task = this.tasks.get(id);
    return task && structuredClone(task);
  }

  async list(filter: TaskListFilter): Promise<TaskListPage> {
    const matches = [...this.tasks.values()]
      .filter((t) => !filter.createdBy || t.createdBy === filter.createdBy)
      .filter((t) => !filter.status || t.status === filter.status)
      .filter((t) => !filter.agentId || t.agentId === filter.agentId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const over = (value: unknown) => value != null && JSON.stringify(value).length > LISTED_JSON_MAX_BYTES;
    return {
      items: matches.slice(filter.skip, filter.skip + filter.limit).map(({ checkpoint: _checkpoint, ...task }) => {
        const [inputOmitted, outputOmitted] = [over(task.input), over(task.output)];
        return {
          ...task,
          input: inputOmitted ? null : task.input,
          output: outputOmitted ? null : task.output,
          inputOmitted,
          outputOmitted,
        };
      }),
      ...boundedTotal(matches.length, LIST_TOTAL_CAP),
    };
  }

  async attempts(): Promise<never[]> {
    return [];
  }

  async statesOf(ids: string[]): Promise<StepTaskState[]> {
    return ids.flatMap((id) => {
      const task = this.tasks.get(id);
      return task ? [{ id, stepId: task.stepId, status: task.status, output: task.output, error: task.error }] : [];
    });
  }

  async finishedBetween(after: FinishCursor, until: Date, creators: string[], limit: number): Promise<Task[]> {
    const key = (t: { at: Date; id: string }) => `${t.at.toISOString()}/${t.id}`;
    return [...this.tasks.values()]
      .filter((t) => t.finishedAt && creators.includes(t.createdBy) && t.finishedAt <= until)
      .filter((t) => key({ at: t.finishedAt!, id: t.id }) > key(after))
      .sort((a, b) => key({ at: a.finishedAt!, id: a.id }).localeCompare(key({ at: b.finishedAt!, id: b.id })))
      .slice(0, limit);
  }

  async cancel(
    id: string,
    createdBy: string | undefined,
    context?: AuditRequestContext,
  ): Promise<{ task: Task; wasRunning: boolean }> {
    const task = this.owned(id, createdBy);
    if (FINAL_STATUSES.includes(task.status)) throw new TaskNotCancellableError(task.status);
    const wasRunning = task.status === 'running';
    Object.assign(task, { status: 'cancelled', finishedAt: new Date(), error: { code: 'CANCELLED', message: 'x' } });
    this.audit.push({ event: { action: 'task.cancel', outcome: 'success', resourceId: id }, context });
    return { task: structuredClone(task), wasRunning };
  }

  /** As TaskBulkActions.cancelIn: those not final yet cancelled (no audit entry: its caller writes them). */
  async cancelIn(_em: unknown, ids: string[]): Promise<{ tasks: Task[]; afterCommit(): Promise<void> }> {
    const tasks = ids.flatMap((id) => {
      const task = this.tasks.get(id);
      if (!task || FINAL_STATUSES.includes(task.status)) return [];
      Object.assign(task, { status: 'cancelled', finishedAt: new Date(), error: { code: 'CANCELLED', message: 'x' } });
      return [structuredClone(task)];
    });
    return { tasks, afterCommit: async () => undefined };
  }

  async retry(id: string, createdBy: string | undefined, context?: AuditRequestContext): Promise<Task> {
    const task = this.owned(id, createdBy);
    if (task.status !== 'failed' && task.status !== 'cancelled') throw new TaskNotRetryableError(task.status);
    Object.assign(task, { status: 'queued', attemptOffset: task.attempts, error: null, finishedAt: null });
    this.audit.push({ event: { action: 'task.retry', outcome: 'success', resourceId: id }, context });
    return structuredClone(task);
  }

  private owned(id: string, createdBy: string | undefined): Task {
    const task = this.tasks.get(id);
    if (!task || (createdBy && task.createdBy !== createdBy)) throw new TaskNotFoundError();
    return task;
  }
}
