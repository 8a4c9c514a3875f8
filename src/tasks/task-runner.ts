import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { AgentExecutionError, type ExecutionContext, nonRetryable } from '../agents/agent-type';
import { AgentTypeRegistry } from '../agents/agent-type.registry';
import { runConfig } from './run-config';
import { AgentNotFoundError } from '../agents/agents.errors';
import { AgentsService } from '../agents/agents.service';
import { AgentStateStore } from '../agents/agent-state.store';
import { SchemaValidator } from '../common/schema/schema-validator';
import { isDatabaseUnavailable } from '../database/db-retry';
import { EventBus } from '../events/event-bus';
import { Metrics } from '../metrics/metrics.service';
import { AgentSlots } from './agent-slots';
import type { AttemptStatus } from './entities/task-attempt.entity';
import { TaskCheckpoints } from './persistence/task-checkpoints';
import { type Outcome, TaskStateWriter } from './persistence/task-state-writer';
import type {
  AgentLookup,
  AgentSlotPool,
  AgentStates,
  AttemptStore,
  CancelSignals,
  CheckpointStore,
  AttemptEvents,
  FlowGate,
  TaskMetrics,
} from './ports';
import { storableText } from './storable';
import type { Task, TaskError } from './task';
import { TaskCancellation } from './task-cancellation';
import { keyLimit, TaskFlowControl } from './task-flow-control';
import { taskEvent } from './task-event';
import { executionLogger } from './execution-logger';
import { handBack, putBack } from './hand-back';
import { TaskLifecycle } from './task-lifecycle';
import { backoffDelay, type TaskJobData } from './task-queue';
import {
  ATTEMPT_CANCELLED,
  ATTEMPT_SUPERSEDED,
  notStorable,
  reasonOf,
  RetryLaterError,
  toTaskError,
} from './attempt-errors';
import { checkOutput } from './attempt-output';

/** What the runner uses of a BullMQ job. */
export type TaskJob = Pick<Job<TaskJobData>, 'data' | 'opts' | 'moveToDelayed' | 'moveToWait'>;

/** How long a task parked for its key's slot waits at most: woken when one frees, else after this. */
const PARKED_RECHECK_MS = 2000;
/** Progress writes are spaced out; the last one always lands. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Runs one attempt of one task. Every state change is a guarded UPDATE (on the status and the attempt
 * number), so a late, duplicate or cancelled attempt can never overwrite a newer state: a task's result
 * is recorded once.
 */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger(TaskRunner.name);
  readonly workerId: string;

  constructor(
    @Inject(AgentsService) private readonly agents: AgentLookup,
    private readonly types: AgentTypeRegistry,
    private readonly validator: SchemaValidator,
    @Inject(AgentSlots) private readonly slots: AgentSlotPool,
    @Inject(TaskCancellation) private readonly cancellation: CancelSignals,
    @Inject(EventBus) private readonly events: AttemptEvents,
    @Inject(AgentStateStore) private readonly agentState: AgentStates,
    private readonly lifecycle: TaskLifecycle,
    @Inject(Metrics) private readonly metrics: TaskMetrics,
    @Inject(TaskStateWriter) private readonly state: AttemptStore,
    @Inject(TaskCheckpoints) private readonly checkpoints: CheckpointStore,
    @Inject(TaskFlowControl) private readonly flow: FlowGate,
  ) {
    this.workerId = state.workerId;
  }

  async run(job: TaskJob, token: string | undefined, jobSignal?: AbortSignal): Promise<unknown> {
    const { taskId } = job.data;
    let { agentId, timeoutMs: taskTimeoutMs, concurrencyKey, expireAt } = job.data;
    if (!agentId) {
      // A job queued before jobs carried their agent.
      const task = await this.state.load(taskId);
      if (!task) return { skipped: 'missing' };
      ({ agentId, timeoutMs: taskTimeoutMs } = task);
      concurrencyKey = task.concurrencyKey ?? undefined;
      expireAt = task.expireAt?.getTime();
    }
    // Past its expiry a queued task ends expired; one already started (taken over, retried) runs on.
    if (expireAt !== undefined && expireAt <= Date.now() && (await this.flow.expire(taskId)))
      return { skipped: 'expired' };

    const lookUp = () =>
      this.agents.forTask(agentId!).catch((err: unknown) => {
        if (err instanceof AgentNotFoundError) return undefined;
        throw err;
      });
    let agent = await lookUp();
    if (agent?.status === 'paused') {
      const recheckMs = await this.flow.parkPaused(agent.id, taskId);
      // A resume announced meanwhile found no parked task to wake: the agent is read again, as it is now.
      agent = await lookUp();
      if (agent?.status === 'paused') return putBack(job, token, recheckMs, recheckMs / 2);
      await this.flow.unparkPaused(agentId, taskId);
    }
    if (!agent) return this.agentDeleted(taskId);
    const timeoutMs = taskTimeoutMs ?? agent.timeoutMs;
    const leaseMs = timeoutMs + 30_000;
    const key = keyLimit(agent, concurrencyKey);
    if (key && !(await this.flow.acquireKey(agent.id, key, taskId, leaseMs)))
      return putBack(job, token, PARKED_RECHECK_MS, PARKED_RECHECK_MS);
    if (!(await this.slots.acquire(agent.id, taskId, agent.concurrency, leaseMs, job.opts.priority))) {
      if (key) this.flow.releaseKey(agent.id, key, taskId, false);
      // Parked: woken when a slot of the agent frees.
      const recheckMs = this.slots.recheckMs(agent.id);
      return putBack(job, token, recheckMs, recheckMs);
    }
    // The slots go back once the work is over, before its outcome is written: the outcome may start the next
    // task at once (a workflow's next step), which then finds them free rather than held by a finished task.
    // Not awaited: the job ends sooner, and commands on one connection keep their order.
    let slotsHeld = true;
    const freeSlots = (): void => {
      if (!slotsHeld) return;
      slotsHeld = false;
      this.slots.release(agent.id, taskId).catch(() => undefined);
      if (key) this.flow.releaseKey(agent.id, key, taskId, true);
    };

    let timer: NodeJS.Timeout | undefined;
    // One signal for cancellation, the timeout and the job's own.
    const attemptSignal = new AbortController();
    const { cancelled, handedBack, release } = this.cancellation.register(taskId, attemptSignal);
    const forward = (): void => attemptSignal.abort(jobSignal!.reason);
    try {
      // A job taken as this worker began to stop goes back as it came, no attempt opened.
      if (handedBack()) return await handBack(this.logger, job, token, taskId);
      // Postgres counts attempts: a stalled attempt taken over by another worker keeps its number.
      const task = await this.start(taskId, agent.id);
      if (!task) return await this.notRunnable(taskId, expireAt);
      const attempt = task.attempts;
      const outputStream = this.events.outputStream(task.id, attempt);
      // From here on, whatever goes wrong ends in a recorded outcome of this attempt.
      let output: unknown;
      try {
        const config = runConfig(this.agents, agent, this.logger);
        const type = this.types.get(agent.type);
        // The job's signal is linked to the attempt's and unlinked when the attempt ends (not
        // AbortSignal.timeout/any, whose timer and links outlive a short task by its whole timeout).
        const signal = attemptSignal.signal;
        timer = setTimeout(
          () => attemptSignal.abort(new DOMException('The task timed out', 'TimeoutError')),
          timeoutMs,
        );
        if (jobSignal?.aborted) attemptSignal.abort(jobSignal.reason);
        jobSignal?.addEventListener('abort', forward, { once: true });
        let lastProgressWrite = 0;
        const context: ExecutionContext = {
          taskId: task.id,
          createdBy: task.createdBy,
          attempt,
          agentId: agent.id,
          input: task.input,
          config,
          signal,
          lastCheckpoint: task.checkpoint ?? undefined,
          agentState: await this.agentState.handle(agent.id),
          logger: executionLogger(this.logger, { taskId: task.id, agentId: agent.id, attempt }),
          progress: async (percent, message) => {
            const now = Date.now();
            if (now - lastProgressWrite < PROGRESS_INTERVAL_MS && percent < 100) return;
            lastProgressWrite = now;
            task.progress = Math.max(0, Math.min(100, Math.round(percent)));
            // Cut first: a cut through a surrogate pair leaves half of it.
            task.progressMessage = message === undefined ? null : storableText(message.slice(0, 500));
            await this.recording('PROGRESS_NOT_STORABLE', 'The progress', () =>
              this.state.progress(task.id, attempt, task.progress, task.progressMessage),
            );
            this.events.publish(taskEvent(task));
          },
          outputDelta: (text) => outputStream.write(text),
          checkpointPart: (seq, part) =>
            this.recording('CHECKPOINT_NOT_STORABLE', 'The checkpoint', () =>
              this.checkpoints.append(task.id, attempt, seq, part),
            ),
          checkpointParts: () => this.state.retrying(() => this.checkpoints.parts(task.id)),
          checkpoint: async (state) => {
            await this.recording('CHECKPOINT_NOT_STORABLE', 'The checkpoint', () =>
              this.state.checkpoint(task.id, attempt, state),
            );
          },
        };

        try {
          output = await type.execute(context);
        } finally {
          // The last deltas leave before the attempt's outcome does.
          outputStream.close();
        }
        checkOutput(this.validator, type.outputSchema, output);
      } catch (err) {
        if (handedBack() && !cancelled()) return await handBack(this.logger, job, token, task.id, attempt);
        freeSlots();
        return await this.failed(task, attempt, err, cancelled(), agent.type);
      }
      freeSlots();
      const stored = await this.finish(task, attempt, 'succeeded', { output }, agent.type);
      if (stored === 'failed') throw new UnrecoverableError('the output could not be stored');
      return { taskId: task.id };
    } finally {
      clearTimeout(timer);
      jobSignal?.removeEventListener('abort', forward);
      release();
      freeSlots();
    }
  }

  /**
   * Starts the task's next attempt (opening its attempt row), or continues one whose worker stopped
   * responding, which it logs; undefined when the task is not runnable any more.
   */
  private async start(taskId: string, agentId: string): Promise<Task | undefined> {
    const started = await this.state.start(taskId);
    if (!started) return undefined;
    const { task, takenOverFrom } = started;
    if (takenOverFrom !== null) {
      const attempt = task.attempts;
      this.logger.warn(
        { taskId, agentId, attempt, previousWorkerId: takenOverFrom },
        `task ${taskId} attempt ${attempt} was taken over from a worker that stopped responding or handed it back`,
      );
    }
    this.events.publish(taskEvent(task));
    return task;
  }

  /**
   * A job whose task cannot start: past its expiry it ends expired. A cancelled task's attempt that a stopping
   * worker handed back as the cancel came is still open: it is closed as cancelled.
   */
  private async notRunnable(taskId: string, expireAt: number | undefined): Promise<{ skipped: string }> {
    if (expireAt !== undefined && (await this.flow.expire(taskId))) return { skipped: 'expired' };
    const task = await this.state.load(taskId);
    if (task?.status === 'cancelled' && task.attempts > 0)
      await this.recordAttempt(taskId, task.attempts, 'cancelled', ATTEMPT_CANCELLED);
    return { skipped: 'not runnable' };
  }

  /** The task's agent was deleted: the task fails for good. */
  private async agentDeleted(taskId: string): Promise<never | { skipped: string }> {
    const task = await this.state.load(taskId);
    if (!task || !['queued', 'retrying', 'running'].includes(task.status))
      return { skipped: task?.status ?? 'missing' };
    await this.finish(
      task,
      task.attempts,
      'failed',
      { error: { code: 'AGENT_DELETED', message: 'The agent was deleted' } },
      'unknown',
    );
    throw new UnrecoverableError('agent deleted');
  }

  private async failed(task: Task, attempt: number, err: unknown, aborted: boolean, agentType: string): Promise<never> {
    const { error, retryable, retryAfterMs } = toTaskError(err);
    if (!(err instanceof AgentExecutionError))
      this.logger.error(`task ${task.id} attempt ${attempt}: ${(err as Error).message}`);
    if (aborted && error.code === 'CANCELLED') {
      await this.recordAttempt(task.id, attempt, 'cancelled', error);
      this.metrics.taskFinished(agentType, 'cancelled', this.secondsSinceStart(task));
      throw new UnrecoverableError('cancelled');
    }
    const runAttempts = attempt - task.attemptOffset;
    if (retryable && runAttempts < task.maxAttempts) {
      const delayMs = backoffDelay(task.backoffMs, runAttempts, retryAfterMs);
      await this.finish(task, attempt, 'retrying', { error, nextAttemptAt: new Date(Date.now() + delayMs) }, agentType);
      throw new RetryLaterError(error.message, delayMs);
    }
    await this.finish(task, attempt, 'failed', { error }, agentType);
    throw new UnrecoverableError(error.message);
  }

  /**
   * The guarded write of an attempt's outcome: only while the task is still running this attempt. An
   * outcome Postgres refuses for its content (not for being unreachable) is replaced by a failure with
   * OUTPUT_NOT_STORABLE, so the task never stays running for want of a write. Returns the status stored, or
   * undefined when the task had moved on.
   */
  private async finish(
    task: Task,
    attempt: number,
    status: 'succeeded' | 'failed' | 'retrying',
    result: { output?: unknown; error?: TaskError; nextAttemptAt?: Date },
    agentType: string,
  ): Promise<Outcome['status'] | undefined> {
    const outcome: Outcome = {
      status,
      output: result.output ?? null,
      error: result.error ?? null,
      finishedAt: status === 'retrying' ? null : new Date(),
      nextAttemptAt: result.nextAttemptAt ?? null,
    };
    let stored: Outcome | undefined;
    try {
      stored = await this.state.finish(task.id, attempt, outcome);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      this.logger.warn(`task ${task.id} attempt ${attempt}: its ${status} outcome cannot be stored (${reasonOf(err)})`);
      stored = await this.state.finish(task.id, attempt, notStorable(outcome));
    }
    if (!stored) {
      await this.recordAttempt(task.id, attempt, 'cancelled', ATTEMPT_SUPERSEDED);
      return undefined;
    }
    Object.assign(task, stored, stored.status === 'succeeded' ? { progress: 100 } : {});
    this.events.publish(taskEvent(task));
    if (stored.status !== 'retrying') {
      this.metrics.taskFinished(agentType, stored.status, this.secondsSinceStart(task));
      await this.lifecycle.finished(task);
    }
    return stored.status;
  }

  /**
   * Runs a write of what an executor reports along the way. Postgres being unreachable is retried; a value it
   * refuses fails the attempt with `code`, for good (the same value would be refused again).
   */
  private async recording(code: string, what: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await this.state.retrying(write);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      throw nonRetryable(code, `${what} cannot be stored: ${reasonOf(err)}`);
    }
  }

  private secondsSinceStart(task: Task): number | undefined {
    return task.startedAt ? (Date.now() - task.startedAt.getTime()) / 1000 : undefined;
  }

  private recordAttempt(taskId: string, attempt: number, status: AttemptStatus, error: TaskError): Promise<void> {
    return this.state.closeAttempt(taskId, attempt, status, error);
  }
}
