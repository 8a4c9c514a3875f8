import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { isDatabaseUnavailable, retryUntilStopped, type RetryListener, withDbRetry } from '../../database/db-retry';
import { EventBus, type RunEventSource } from '../../events/event-bus';
import { STEP_START } from '../../workflows/shared-statements';
import { MicroBatcher } from '../../database/micro-batcher';
import { preparedQuery } from '../../database/prepared';
import { rowMapper, type RowMapper } from '../../database/row-mapper';
import { type AttemptStatus, TaskAttemptEntity } from '../entities/task-attempt.entity';
import { TaskEntity } from '../entities/task.entity';
import { jsonOfStorable, storable } from '../storable';
import type { TaskError } from '../task';
import { taskRowsById } from './task-rows';

interface StartItem {
  id: string;
  startedAt: Date;
}

/** An attempt started: the task as it now is, and the worker it was taken over from, if it was. */
export interface StartedAttempt {
  task: TaskEntity;
  /**
   * The worker whose attempt this one continues with the same number (it stopped responding: killed, or its
   * lock lapsed), or null for a new attempt.
   */
  takenOverFrom: string | null;
}

export interface Outcome {
  status: 'succeeded' | 'failed' | 'retrying';
  output: unknown;
  error: TaskError | null;
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
}

/** An outcome as it goes to Postgres: output and error already JSON text Postgres accepts. */
interface FinishItem {
  id: string;
  attempt: number;
  status: Outcome['status'];
  output: string | null;
  error: string | null;
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
}

/**
 * Starts attempts: `$1` task ids, `$2` start times, `$3` the worker's id; returns the started tasks in the
 * select list `columns`. A queued task past its expiry time is not started (it is to end `expired`). The status guard names the final statuses (`NOT IN`), which no index can serve, so
 * the statement is planned through the primary key, one lookup per task. With `status IN (active…)` the
 * planner went through the status index whenever the statistics (taken while few tasks were active) said
 * almost none were: every batch then scanned every active task, about 20 ms instead of 1 with 10,000 queued.
 * Each row also has `taken_over_from`: the worker of the attempt the task was found running (`held` reads the
 * statement's snapshot, from before the update), else null; `held` tests that status in its select list, not
 * in a join, for the same reason.
 *
 * A workflow run's step task also marks its step `running` ({@link STEP_START}, the runs' own statement on their
 * steps), so the run shows the step running from its task's start, not from the run's next advance; its row then
 * has what the run's event is made of.
 */
export function startStatement(columns: string): string {
  return `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) AS i(id, started_at)
       ), held AS (
         SELECT t.id AS task_id, CASE WHEN t.status = 'running' THEN a.worker_id END AS worker_id
           FROM input i
           JOIN tasks t ON t.id = i.id
           LEFT JOIN task_attempts a ON a.task_id = t.id AND a.attempt = t.attempts
       ), started AS (
         UPDATE tasks t
            SET status = 'running',
                attempts = CASE WHEN t.status = 'running' THEN GREATEST(t.attempts, 1) ELSE t.attempts + 1 END,
                started_at = COALESCE(t.started_at, i.started_at), next_attempt_at = NULL, updated_at = now()
           FROM input i
          WHERE t.id = i.id AND t.status NOT IN ('succeeded', 'failed', 'cancelled', 'expired')
            AND (t.expire_at IS NULL OR t.status <> 'queued' OR t.expire_at > i.started_at)
         RETURNING t.*, i.started_at AS attempt_started_at
       ), opened AS (
         INSERT INTO task_attempts (task_id, attempt, status, started_at, worker_id)
         SELECT id, attempts, 'running', attempt_started_at, $3 FROM started
         ON CONFLICT (task_id, attempt) DO UPDATE
            SET status = EXCLUDED.status, started_at = EXCLUDED.started_at, worker_id = EXCLUDED.worker_id,
                finished_at = NULL, error = NULL,
                taken_over_from = task_attempts.taken_over_from || jsonb_build_array(jsonb_build_object(
                  'workerId', task_attempts.worker_id,
                  'startedAt', to_char(task_attempts.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
       ), ${STEP_START.cte}
       SELECT ${columns}, h.worker_id AS taken_over_from, ${STEP_START.columns}
         FROM started t
         LEFT JOIN held h ON h.task_id = t.id
         ${STEP_START.joins}`;
}

/**
 * The run events of the steps a batch of starts marked running ({@link startStatement}): one a run, naming those
 * steps only (a client merges them by id), so a fan-out's hundred starts are not a hundred events of every step.
 */
function stepsStarted(rows: Record<string, unknown>[], tasks: TaskEntity[]): RunEventSource[] {
  const byRun = new Map<string, RunEventSource>();
  tasks.forEach(({ id, runId, stepId }, i) => {
    const row = rows[i];
    const workflowId = row.step_run_workflow_id as string | null;
    if (!runId || !stepId || !workflowId) return;
    let run = byRun.get(runId);
    if (!run) {
      const status = row.step_run_status as string;
      run = { id: runId, workflowId, createdBy: row.step_run_created_by as string, status, steps: {} };
      byRun.set(runId, run);
    }
    run.steps[stepId] = { status: 'running', taskId: id };
  });
  return [...byRun.values()];
}

/**
 * Records outcomes: `$1` task ids, `$2` attempts, `$3` statuses, `$4` outputs, `$5` errors, `$6` finish times,
 * `$7` next attempt times; returns the ids written. Guarded like {@link startStatement}. An outcome that ends
 * the task drops its checkpoint parts.
 */
export const FINISH_STATEMENT = `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::varchar[], $4::jsonb[], $5::jsonb[], $6::timestamptz[],
                              $7::timestamptz[])
                    AS i(id, attempt, status, output, error, finished_at, next_attempt_at)
       ), done AS (
         UPDATE tasks t
            SET status = i.status, output = i.output, error = i.error, finished_at = i.finished_at,
                next_attempt_at = i.next_attempt_at,
                progress = CASE WHEN i.status = 'succeeded' THEN 100 ELSE t.progress END, updated_at = now()
           FROM input i
          WHERE t.id = i.id AND t.attempts = i.attempt
            AND t.status NOT IN ('succeeded', 'failed', 'cancelled', 'expired')
         RETURNING t.id, i.attempt, i.status, i.error
       ), closed AS (
         UPDATE task_attempts a
            SET status = CASE WHEN d.status = 'succeeded' THEN 'succeeded' ELSE 'failed' END,
                finished_at = now(), error = d.error
           FROM done d
          WHERE a.task_id = d.id AND a.attempt = d.attempt
       ), parts_dropped AS (
         DELETE FROM task_checkpoint_parts p USING done d WHERE p.task_id = d.id AND d.status <> 'retrying'
       )
       SELECT id FROM done`;

/**
 * The worker's task reads and state writes: starting an attempt, its progress and checkpoint, its outcome. Each is one statement, and the calls of concurrent jobs that
 * arrive together share it ({@link MicroBatcher}): starting or finishing fifty attempts costs one round
 * trip, not fifty. Every write stays guarded on the task's status and attempt number, per task. The start and the
 * outcome are named prepared statements: each connection parses and plans them once, not on every batch (a third of
 * Postgres's CPU per task went there); their generic plan, like the one made for given values, goes through the
 * primary key (task-statements.e2e-spec). A start that
 * marks a workflow run's step running publishes that run's event here, from the rows of the statement that did.
 *
 * While Postgres is unreachable, reads and writes along the way are retried for `DB_RETRY_MS`; an outcome
 * (the task's final state and its attempt row) is retried until the process stops: the job stays this
 * worker's meanwhile (BullMQ renews its lock), so the agent is not called again for a result already had.
 */
@Injectable()
export class TaskStateWriter implements OnModuleDestroy {
  readonly workerId = `${hostname()}:${process.pid}`;
  private readonly logger = new Logger(TaskStateWriter.name);
  private readonly taskRows: RowMapper<TaskEntity>;
  private readonly startText: string;
  private readonly loads: MicroBatcher<string, TaskEntity | undefined>;
  private readonly starts: MicroBatcher<StartItem, StartedAttempt | undefined>;
  private readonly finishes: MicroBatcher<FinishItem, boolean>;
  private readonly retryMs: number;
  private readonly stopping = new AbortController();
  /** Outcome writes waiting for Postgres, and since when: one warning per outage, one line when it ends. */
  private held = { count: 0, since: 0 };
  private readonly outage: RetryListener = {
    held: (err) => {
      if (this.held.count++ > 0) return;
      this.held.since = Date.now();
      this.logger.warn(
        `PostgreSQL is unreachable (${(err as Error).message}): task outcomes are held and written once it is back`,
      );
    },
    released: (stored) => {
      if (--this.held.count > 0 || !stored) return;
      const seconds = Math.round((Date.now() - this.held.since) / 1000);
      this.logger.log(`PostgreSQL is reachable again: the task outcomes held for ${seconds} s are stored`);
    },
  };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(EventBus) private readonly runEvents: Pick<EventBus, 'publishRun'>,
  ) {
    this.taskRows = rowMapper(dataSource, TaskEntity, 't');
    this.startText = startStatement(this.taskRows.columns);
    this.retryMs = config.database.retryMs;
    const byTask = { keyOf: (item: { id: string }) => item.id };
    this.loads = new MicroBatcher((ids) => this.retrying(() => this.loadMany(ids)));
    this.starts = new MicroBatcher<StartItem, StartedAttempt | undefined>(
      (items) => this.retrying(() => this.startMany(items)),
      byTask,
    );
    this.finishes = new MicroBatcher<FinishItem, boolean>(
      (items) => this.untilStored(() => this.finishMany(items)),
      byTask,
    );
  }

  /** Shutdown has begun: outcomes still unwritten get one last try, then are given up (and logged). */
  onModuleDestroy(): void {
    this.stopping.abort();
  }

  /** A read or write along the way, retried for `DB_RETRY_MS` while Postgres is unreachable. */
  retrying<T>(fn: () => Promise<T>): Promise<T> {
    return withDbRetry(fn, this.retryMs);
  }

  /** The task as it is, or undefined when there is no such task. */
  load(taskId: string): Promise<TaskEntity | undefined> {
    return this.loads.submit(taskId);
  }

  /**
   * Starts the task's next attempt and opens its attempt row; a task found running (its worker died) keeps
   * its attempt number, and says whose it was. Returns undefined when the task is not runnable (cancelled,
   * finished, gone).
   */
  start(taskId: string): Promise<StartedAttempt | undefined> {
    return this.starts.submit({ id: taskId, startedAt: new Date() });
  }

  /**
   * Records the attempt's outcome while the task is still on this attempt. Output and error are made
   * storable first ({@link storable}), each on its own, so one value Postgres would refuse never fails the
   * statement that carries other tasks' outcomes. Returns the outcome as stored, or undefined when the task
   * is not on this attempt any more. Throws {@link NotStorableError} for an output or error that has no JSON
   * form.
   */
  async finish(taskId: string, attempt: number, outcome: Outcome): Promise<Outcome | undefined> {
    const stored = { ...outcome, output: storable(outcome.output ?? null), error: storable(outcome.error ?? null) };
    const written = await this.finishes
      .submit({
        id: taskId,
        attempt,
        status: stored.status,
        output: jsonOfStorable(stored.output),
        error: jsonOfStorable(stored.error),
        finishedAt: stored.finishedAt,
        nextAttemptAt: stored.nextAttemptAt,
      })
      .catch((err: unknown) => this.givenUp(err, taskId, attempt, `${outcome.status} outcome`));
    return written ? stored : undefined;
  }

  /** The attempt's progress, while the task is still running it. */
  async progress(taskId: string, attempt: number, progress: number, message: string | null): Promise<void> {
    await this.dataSource
      .getRepository(TaskEntity)
      .update({ id: taskId, status: 'running', attempts: attempt }, { progress, progressMessage: message });
  }

  /** The executor's state for the next attempt, while the task is still on this attempt. */
  async checkpoint(taskId: string, attempt: number, state: unknown): Promise<void> {
    await this.dataSource
      .getRepository(TaskEntity)
      .update({ id: taskId, attempts: attempt }, { checkpoint: storable(state) as object });
  }

  /** Closes the attempt's row while it is open (the task itself moved on, or the attempt was cancelled). */
  async closeAttempt(taskId: string, attempt: number, status: AttemptStatus, error: TaskError): Promise<void> {
    await this.untilStored(() =>
      this.dataSource
        .getRepository(TaskAttemptEntity)
        .update({ taskId, attempt, status: 'running' }, { status, error: storable(error), finishedAt: new Date() }),
    ).catch((err: unknown) => this.givenUp(err, taskId, attempt, `${status} attempt`));
  }

  private untilStored<T>(fn: () => Promise<T>): Promise<T> {
    return retryUntilStopped(fn, this.stopping.signal, this.outage);
  }

  /** An outcome write that failed: said in the log when it is lost to shutdown (only ids, never values). */
  private givenUp(err: unknown, taskId: string, attempt: number, what: string): never {
    if (this.stopping.signal.aborted && isDatabaseUnavailable(err))
      this.logger.warn(
        `task ${taskId} attempt ${attempt}: its ${what} was not stored, PostgreSQL being unreachable at shutdown`,
      );
    throw err;
  }

  private async loadMany(ids: string[]): Promise<(TaskEntity | undefined)[]> {
    const rows = await taskRowsById(this.dataSource, this.taskRows, ids);
    return rows.map((values) => values && this.taskRows.fromValues(values));
  }

  private async startMany(items: StartItem[]): Promise<(StartedAttempt | undefined)[]> {
    const rows = await preparedQuery<Record<string, unknown>>(this.dataSource, this.startText, [
      items.map((i) => i.id),
      items.map((i) => i.startedAt),
      this.workerId,
    ]);
    const tasks = rows.map((row) => this.taskRows.map(row));
    for (const run of stepsStarted(rows, tasks)) this.runEvents.publishRun(run);
    const started = new Map(
      tasks.map((task, i) => [task.id, { task, takenOverFrom: (rows[i].taken_over_from as string | null) ?? null }]),
    );
    return items.map((i) => started.get(i.id));
  }

  private async finishMany(items: FinishItem[]): Promise<boolean[]> {
    const rows = await preparedQuery<{ id: string }>(this.dataSource, FINISH_STATEMENT, [
      items.map((i) => i.id),
      items.map((i) => i.attempt),
      items.map((i) => i.status),
      items.map((i) => i.output),
      items.map((i) => i.error),
      items.map((i) => i.finishedAt),
      items.map((i) => i.nextAttemptAt),
    ]);
    const written = new Set(rows.map((r) => r.id));
    return items.map((i) => written.has(i.id));
  }
}
