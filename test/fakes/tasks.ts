import { AgentNotFoundError } from '../../src/agents/agents.errors';
import { LISTED_JSON_MAX_BYTES } from '../../src/database/listed-json';
import type { FinishCursor } from '../../src/common/finish-cursor';
import type { AgentStateHandle } from '../../src/agents/agent-state.store';
import type { AuditRequestContext } from '../../src/audit/audit-context';
import type { AuditEvent } from '../../src/audit/audit.service';
import type { TaskEvent } from '../../src/events/event-bus';
import { type TaskOutputDelta, TaskOutputStream } from '../../src/events/task-output-stream';
import type { AttemptStatus } from '../../src/tasks/entities/task-attempt.entity';
import type { Outcome } from '../../src/tasks/persistence/task-state-writer';
import type { KeyLimit } from '../../src/tasks/task-flow-control';
import {
  boundedTotal,
  LIST_TOTAL_CAP,
  type TaskListFilter,
  type TaskListPage,
} from '../../src/tasks/persistence/task-list';
import type { StepTaskState } from '../../src/tasks/persistence/task.repository';
import type {
  Agent,
  AgentLookup,
  AgentSlotPool,
  AgentStates,
  AttemptStore,
  CancelSignals,
  CheckpointStore,
  EventPublisher,
  FlowGate,
  NewTasks,
  TaskJobs,
  TaskMetrics,
  TaskStore,
} from '../../src/tasks/ports';
import { FINAL_STATUSES, type Task, type TaskError } from '../../src/tasks/task';
import { TaskNotCancellableError, TaskNotFoundError, TaskNotRetryableError } from '../../src/tasks/tasks.errors';

/** An agent as the task services see it, with everything a test does not name filled in. */
export function fakeAgent(fields: Partial<Agent> = {}): Agent {
  const now = new Date();
  return {
    id: 'agent-1',
    name: 'agent one',
    type: 'echo',
    description: null,
    status: 'active',
    config: {},
    configVersion: 1,
    concurrency: 2,
    timeoutMs: 5000,
    createdBy: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    ...fields,
  } as Agent;
}

/** Agents by id; a deleted one is neither found nor forgotten. */
export class FakeAgents implements AgentLookup {
  readonly agents = new Map<string, Agent>();
  readonly deleted = new Set<string>();
  reads = 0;

  constructor(...agents: Agent[]) {
    for (const agent of agents) this.agents.set(agent.id, agent);
  }

  async forTask(id: string): Promise<Agent> {
    this.reads += 1;
    const agent = this.agents.get(id);
    if (!agent || this.deleted.has(id)) throw new AgentNotFoundError();
    return agent;
  }

  async isDeleted(id: string): Promise<boolean> {
    return this.deleted.has(id);
  }

  runtimeOf(agent: Agent): { agent: Agent; config: Record<string, unknown> } {
    return { agent, config: agent.config };
  }
}

/**
 * The tasks' table in memory, with the repository's rules: an idempotency key is used once per creator,
 * transitions are guarded on the status, and every change comes with its audit entry.
 */
export class FakeTaskStore implements TaskStore {
  readonly tasks = new Map<string, Task>();
  readonly audit: { event: AuditEvent; context?: AuditRequestContext }[] = [];

  async insert(task: Task, event: AuditEvent, context?: AuditRequestContext): Promise<boolean> {
    if (task.idempotencyKey && (await this.findByIdempotencyKey(task.createdBy, task.idempotencyKey))) return false;
    this.tasks.set(task.id, structuredClone(task));
    this.audit.push({ event, context });
    return true;
  }

  async insertBatch(tasks: Task[], event: AuditEvent, context?: AuditRequestContext): Promise<void> {
    for (const task of tasks) this.tasks.set(task.id, structuredClone(task));
    this.audit.push({ event, context });
  }

  async insertInTransaction(_em: unknown, tasks: Task[], event: AuditEvent): Promise<void> {
    for (const task of tasks) this.tasks.set(task.id, structuredClone(task));
    this.audit.push({ event });
  }

  async findByIdempotencyKey(createdBy: string, key: string): Promise<Task | undefined> {
    return [...this.tasks.values()].find((t) => t.createdBy === createdBy && t.idempotencyKey === key);
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

/** The queue: what was queued and removed, or a Redis that refuses. */
export class FakeJobs implements TaskJobs {
  readonly queued: string[] = [];
  readonly removed: string[] = [];
  failing?: Error;

  async enqueueMany(tasks: Task[]): Promise<void> {
    if (this.failing) throw this.failing;
    this.queued.push(...tasks.map((t) => t.id));
  }

  async remove(id: string): Promise<void> {
    this.removed.push(id);
  }
}

export class FakeEvents implements EventPublisher {
  readonly published: TaskEvent[] = [];
  readonly deltas: TaskOutputDelta[] = [];

  publish(event: TaskEvent): void {
    this.published.push(event);
  }

  outputStream(taskId: string, attempt: number): TaskOutputStream {
    return new TaskOutputStream((delta) => this.deltas.push(delta), taskId, attempt);
  }

  statusesOf(taskId: string): string[] {
    return this.published.filter((e) => e.taskId === taskId).map((e) => e.status);
  }
}

/**
 * Cancellation in this process only, as {@link TaskCancellation} does it: a test cancels a registered attempt with
 * {@link abort}, or hands the attempts back as a stopping worker does with {@link handBackAll}.
 */
export class FakeCancelSignals implements CancelSignals {
  readonly requested: string[] = [];
  readonly controllers = new Map<string, AbortController>();
  private readonly cancelledIds = new Set<string>();
  private readonly handedBackIds = new Set<string>();
  private handingBack = false;

  async requestCancel(taskId: string): Promise<void> {
    this.requested.push(taskId);
    this.abort(taskId);
  }

  register(
    taskId: string,
    controller: AbortController,
  ): { cancelled: () => boolean; handedBack: () => boolean; release: () => void } {
    this.controllers.set(taskId, controller);
    this.cancelledIds.delete(taskId);
    this.handedBackIds.delete(taskId);
    if (this.handingBack) this.handBack(taskId);
    return {
      cancelled: () => this.cancelledIds.has(taskId),
      handedBack: () => this.handedBackIds.has(taskId),
      release: () => this.controllers.delete(taskId),
    };
  }

  abort(taskId: string): void {
    const controller = this.controllers.get(taskId);
    if (!controller) return;
    this.cancelledIds.add(taskId);
    controller.abort(new DOMException('The task was cancelled', 'AbortError') as unknown as Error);
  }

  handBackAll(): void {
    this.handingBack = true;
    for (const taskId of this.controllers.keys()) this.handBack(taskId);
  }

  private handBack(taskId: string): void {
    const controller = this.controllers.get(taskId)!;
    if (controller.signal.aborted) return;
    this.handedBackIds.add(taskId);
    controller.abort(new DOMException('The worker is stopping', 'AbortError') as unknown as Error);
  }
}

/**
 * The worker's writes on one table of tasks, with the state writer's guards: an attempt starts only on a
 * task that is not final, and its outcome lands only while the task is still on that attempt.
 */
export class FakeAttemptStore implements AttemptStore {
  readonly workerId = 'test-worker';
  readonly tasks = new Map<string, Task>();
  readonly attempts: { taskId: string; attempt: number; status: AttemptStatus; error?: TaskError | null }[] = [];
  readonly progressWrites: number[] = [];
  readonly checkpoints: unknown[] = [];
  /** Refuses the next outcome written with this status, as Postgres refuses a value it cannot store. */
  refuseOutcome?: Outcome['status'];

  constructor(...tasks: Task[]) {
    for (const task of tasks) this.tasks.set(task.id, structuredClone(task));
  }

  async load(taskId: string): Promise<Task | undefined> {
    const task = this.tasks.get(taskId);
    return task && structuredClone(task);
  }

  async start(taskId: string): Promise<{ task: Task; takenOverFrom: string | null } | undefined> {
    const task = this.tasks.get(taskId);
    if (!task || FINAL_STATUSES.includes(task.status)) return undefined;
    const takenOver = task.status === 'running';
    task.attempts = takenOver ? Math.max(task.attempts, 1) : task.attempts + 1;
    task.status = 'running';
    task.startedAt ??= new Date();
    this.attempts.push({ taskId, attempt: task.attempts, status: 'running' });
    return { task: structuredClone(task), takenOverFrom: takenOver ? 'worker-that-died' : null };
  }

  async finish(taskId: string, attempt: number, outcome: Outcome): Promise<Outcome | undefined> {
    if (this.refuseOutcome === outcome.status) {
      this.refuseOutcome = undefined;
      throw Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' });
    }
    const task = this.tasks.get(taskId);
    if (!task || task.attempts !== attempt || FINAL_STATUSES.includes(task.status)) return undefined;
    Object.assign(task, outcome, outcome.status === 'succeeded' ? { progress: 100 } : {});
    const open = this.attempts.find((a) => a.taskId === taskId && a.attempt === attempt);
    if (open)
      Object.assign(open, { status: outcome.status === 'succeeded' ? 'succeeded' : 'failed', error: outcome.error });
    return outcome;
  }

  async progress(_taskId: string, _attempt: number, progress: number): Promise<void> {
    this.progressWrites.push(progress);
  }

  async checkpoint(_taskId: string, _attempt: number, state: unknown): Promise<void> {
    this.checkpoints.push(structuredClone(state));
  }

  async closeAttempt(taskId: string, attempt: number, status: AttemptStatus, error: TaskError): Promise<void> {
    const open = this.attempts.find((a) => a.taskId === taskId && a.attempt === attempt && a.status === 'running');
    if (open) Object.assign(open, { status, error });
  }

  retrying<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}

export class FakeCheckpoints implements CheckpointStore {
  readonly saved: { seq: number; part: unknown }[] = [];

  async append(_taskId: string, _attempt: number, seq: number, part: unknown): Promise<void> {
    if (!this.saved.some((p) => p.seq === seq)) this.saved.push({ seq, part: structuredClone(part) });
  }

  async parts(): Promise<{ seq: number; part: unknown }[]> {
    return [...this.saved].sort((a, b) => a.seq - b.seq);
  }
}

/** Agent slots: free unless a test says the agent is busy. */
export class FakeSlots implements AgentSlotPool {
  busy = false;
  readonly held = new Set<string>();

  async acquire(_agentId: string, taskId: string): Promise<boolean> {
    if (this.busy) return false;
    this.held.add(taskId);
    return true;
  }

  async release(_agentId: string, taskId: string): Promise<void> {
    this.held.delete(taskId);
  }
}

/**
 * Flow control as the runner sees it: a key slot per task id up to the limit, parked tasks in order, and
 * expiry of the tasks named in `due`.
 */
export class FakeFlowGate implements FlowGate {
  readonly held = new Map<string, Set<string>>();
  readonly parked: string[] = [];
  readonly woken: string[] = [];
  readonly due = new Set<string>();
  readonly expired: string[] = [];
  calls = 0;

  async expire(taskId: string): Promise<boolean> {
    this.calls += 1;
    if (!this.due.delete(taskId)) return false;
    this.expired.push(taskId);
    return true;
  }

  async acquireKey(_agentId: string, key: KeyLimit, taskId: string): Promise<boolean> {
    this.calls += 1;
    const holders = this.held.get(key.key) ?? new Set<string>();
    this.held.set(key.key, holders);
    if (holders.has(taskId) || holders.size < key.limit) {
      holders.add(taskId);
      return true;
    }
    this.parked.push(taskId);
    return false;
  }

  releaseKey(_agentId: string, key: KeyLimit, taskId: string, wake: boolean): void {
    this.calls += 1;
    this.held.get(key.key)?.delete(taskId);
    const next = wake ? this.parked.shift() : undefined;
    if (next) this.woken.push(next);
  }
}

export class FakeAgentStates implements AgentStates {
  readonly documents = new Map<string, unknown>();

  async handle(agentId: string): Promise<AgentStateHandle> {
    return {
      get: <T>() => this.documents.get(agentId) as T | undefined,
      set: (state: unknown) => void this.documents.set(agentId, state),
    };
  }
}

export class FakeMetrics implements TaskMetrics {
  readonly finished: { agentType: string; status: string }[] = [];

  taskFinished(agentType: string, status: string): void {
    this.finished.push({ agentType, status });
  }
}

/** Tasks handed back for queueing and announcing (a retry's new run). */
export class FakeNewTasks implements NewTasks {
  readonly created: string[] = [];

  async afterCreate(tasks: Task[]): Promise<void> {
    this.created.push(...tasks.map((t) => t.id));
  }
}
