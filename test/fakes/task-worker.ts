import type { AgentStateHandle } from '../../src/agents/agent-state.store';
import type { AttemptStatus } from '../../src/tasks/entities/task-attempt.entity';
import type { Outcome } from '../../src/tasks/persistence/task-state-writer';
import type { KeyLimit } from '../../src/tasks/task-flow-control';
import type {
  AgentSlotPool,
  AgentStates,
  AttemptStore,
  CheckpointStore,
  FlowGate,
  TaskMetrics,
} from '../../src/tasks/ports';
import { FINAL_STATUSES, type Task, type TaskError } from '../../src/tasks/task';

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

  recheckMs(): number {
    return 2000;
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

  readonly pausedParked = new Set<string>();

  async parkPaused(_agentId: string, taskId: string): Promise<number> {
    this.pausedParked.add(taskId);
    return 30_000;
  }

  async unparkPaused(_agentId: string, taskId: string): Promise<void> {
    this.pausedParked.delete(taskId);
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
