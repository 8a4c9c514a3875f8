import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, LessThan, MoreThanOrEqual } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import type { FinishCursor } from '../../common/finish-cursor';
import { IDEMPOTENCY_WINDOW_MS } from '../../common/http/idempotency-key';
import { MicroBatcher } from '../../database/micro-batcher';
import { preparedRows } from '../../database/prepared';
import { ReadDatabase } from '../../database/read-database';
import { rowMapper, type RowMapper } from '../../database/row-mapper';
import { TaskAttemptEntity } from '../entities/task-attempt.entity';
import { TaskEntity } from '../entities/task.entity';
import { CANCELLED_BY_REQUEST, FINAL_STATUSES, RETRYABLE_STATUSES, type Task, type TaskStatus } from '../task';
import {
  IdempotencyConflictError,
  TaskNotCancellableError,
  TaskNotFoundError,
  TaskNotRetryableError,
} from '../tasks.errors';
import { TaskCheckpoints } from './task-checkpoints';
import { listTasks, type TaskListFilter, type TaskListPage } from './task-list';
import { taskRowsById } from './task-rows';

/**
 * Statements of a kind running at once: reads by id, inserts of single tasks. What comes meanwhile shares
 * the next one.
 */
const STATEMENTS_IN_FLIGHT = 4;

type AuditPendingEntry = ReturnType<AuditService['pendingEntry']>;

/** Which finished tasks or runs to read, a page at a time (see {@link TaskRepository.finishedSince}). */
export interface FinishedFilter {
  createdBy: string;
  statuses: string[];
  since: Date;
  /** The last one of the page before. */
  after?: Finished;
}

/** A finished task or run: its id and when it finished. */
export interface Finished {
  id: string;
  at: Date;
}

/** What a workflow run needs to know of its steps' tasks. */
export type StepTaskState = Pick<Task, 'id' | 'stepId' | 'status' | 'output' | 'error'>;

/** A task that holds, or held, a slot lease: its status and the workers of its attempts still open. */
export interface LeaseHolder {
  id: string;
  status: TaskStatus;
  /** The workers that opened its attempts still open (none when every attempt recorded how it ended). */
  openOn: string[];
}

/**
 * Every statement on `tasks` and `task_attempts` outside the worker's own writes ({@link TaskStateWriter}):
 * inserts, always with their audit entry in the same statement; reads by id, batched; lists and counts; the
 * guarded transitions a user asks for (cancel, retry). Callers speak in tasks, never in SQL or entities.
 */
@Injectable()
export class TaskRepository {
  private readonly rows: RowMapper<TaskEntity>;
  /**
   * Reads by id asked for at about the same time (polling clients, the SSE streams) go to Postgres as
   * one statement: each read still starts after it was asked for, and a round trip carries many.
   */
  private readonly reads: MicroBatcher<string, unknown[] | undefined>;
  /** Single tasks stored at about the same time are inserted, each with its audit entry, in one statement. */
  private readonly inserts: MicroBatcher<{ task: Task; entry: AuditPendingEntry }, boolean>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly checkpoints: TaskCheckpoints,
    /** Lists may read a replica (see {@link ReadDatabase}); reads by id always read the primary. */
    private readonly readDb: ReadDatabase,
  ) {
    this.rows = rowMapper(dataSource, TaskEntity, 't');
    this.reads = new MicroBatcher((ids) => this.readMany(ids), { maxInFlight: STATEMENTS_IN_FLIGHT });
    this.inserts = new MicroBatcher((items) => this.insertMany(items), { maxInFlight: STATEMENTS_IN_FLIGHT });
  }

  /**
   * Stores one task with its audit entry. With an idempotency key, unless its creator already used the key
   * (a key older than the window is released first). False when it was not stored.
   */
  async insert(task: Task, event: AuditEvent, context?: AuditRequestContext): Promise<boolean> {
    if (!task.idempotencyKey) return this.inserts.submit({ task, entry: this.audit.pendingEntry(event, context) });
    return this.dataSource.transaction(async (em) => {
      await em.update(
        TaskEntity,
        {
          createdBy: task.createdBy,
          idempotencyKey: task.idempotencyKey,
          createdAt: LessThan(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)),
        },
        { idempotencyKey: null },
      );
      // A conflict on (creator, key) means an earlier request made the task: nothing is inserted.
      const ids = await this.audit.insertAudited(
        em,
        { entity: TaskEntity, rows: [task], ignoreConflicts: true },
        event,
        context,
      );
      return ids.length === 1;
    });
  }

  /**
   * Stores tasks, all or none, with one audit entry for them all: true. Tasks with idempotency keys (a batch sent
   * with one) are stored unless an earlier request stored them: false, and nothing is stored; some of their keys
   * taken but not all (another request's) → {@link IdempotencyConflictError}, nothing stored.
   */
  async insertBatch(tasks: Task[], event: AuditEvent, context?: AuditRequestContext): Promise<boolean> {
    const part = { entity: TaskEntity, rows: tasks };
    const keys = tasks.map((t) => t.idempotencyKey).filter((key): key is string => key !== null);
    if (!keys.length) return (await this.audit.insertAudited(this.dataSource.manager, part, event, context)).length > 0;
    return this.dataSource.transaction(async (em) => {
      const { createdBy } = tasks[0];
      const expired = LessThan(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS));
      await em.update(
        TaskEntity,
        { createdBy, idempotencyKey: In(keys), createdAt: expired },
        { idempotencyKey: null },
      );
      const ids = await this.audit.insertAudited(em, { ...part, ignoreConflicts: true }, event, context);
      if (ids.length && ids.length < tasks.length) throw new IdempotencyConflictError();
      return ids.length > 0;
    });
  }

  /**
   * The tasks their creator stored under these idempotency keys within the window, in the keys' order (those
   * found).
   */
  async findByIdempotencyKeys(createdBy: string, keys: string[]): Promise<Task[]> {
    const rows = await this.dataSource.getRepository(TaskEntity).findBy({
      createdBy,
      idempotencyKey: In(keys),
      createdAt: MoreThanOrEqual(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)),
    });
    const byKey = new Map(rows.map((row) => [row.idempotencyKey, row]));
    return keys.flatMap((key) => byKey.get(key) ?? []);
  }

  /** Stores tasks in the caller's transaction (a workflow run's) with one audit entry for them. */
  async insertInTransaction(em: EntityManager, tasks: Task[], event: AuditEvent): Promise<void> {
    if (!tasks.length) return;
    await this.audit.insertAudited(em, { entity: TaskEntity, rows: tasks }, event);
  }

  /** Tasks without an idempotency key, from several callers: nothing can conflict, so all or none. */
  private async insertMany(items: { task: Task; entry: AuditPendingEntry }[]): Promise<boolean[]> {
    const ids = new Set(
      await this.audit.insertWithEntries(
        this.dataSource.manager,
        { entity: TaskEntity, rows: items.map((i) => i.task) },
        items.map((i) => i.entry),
      ),
    );
    return items.map((i) => ids.has(i.task.id));
  }

  /**
   * The tasks of `createdBy` (of `agentId` when given) that reached one of `statuses` after `since` (and after
   * the page's last one, `after`), oldest first, at most `limit`: finished tasks whose follow-up (a workflow
   * trigger) may have been lost.
   */
  async finishedSince(filter: FinishedFilter & { agentId?: string }, limit: number): Promise<Finished[]> {
    const { after, ...params } = filter;
    const qb = this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .select(['t.id', 't.finishedAt'])
      .where('t.finished_at > :since AND t.created_by = :createdBy AND t.status IN (:...statuses)', params);
    if (filter.agentId) qb.andWhere('t.agent_id = :agentId', { agentId: filter.agentId });
    if (after) qb.andWhere('(t.finished_at, t.id) > (:afterAt, :afterId)', { afterAt: after.at, afterId: after.id });
    const rows = await qb.orderBy('t.finished_at', 'ASC').addOrderBy('t.id', 'ASC').limit(limit).getMany();
    return rows.map((r) => ({ id: r.id, at: r.finishedAt! }));
  }

  async findById(id: string): Promise<Task | undefined> {
    const row = await this.reads.submit(id);
    return row && this.rows.fromValues(row);
  }

  /** The batched statement behind {@link findById}. */
  private readMany(ids: string[]): Promise<(unknown[] | undefined)[]> {
    return taskRowsById(this.dataSource, this.rows, ids);
  }

  /** A page of the tasks a filter matches, newest first, with their bounded count ({@link listTasks}). */
  list(filter: TaskListFilter): Promise<TaskListPage> {
    return listTasks(this.readDb.reader(), this.rows, filter);
  }

  /**
   * Tasks of `creators` that finished after `after` and by `until`, in finish order (then id), at most
   * `limit`: for what catches up with finishes a killed process did not follow up.
   */
  async finishedBetween(after: FinishCursor, until: Date, creators: string[], limit: number): Promise<Task[]> {
    const rows = await preparedRows(
      this.dataSource,
      `SELECT ${this.rows.columns} FROM tasks t
        WHERE t.finished_at IS NOT NULL AND (t.finished_at, t.id) > ($1, $2) AND t.finished_at <= $3
          AND t.created_by = ANY($4::uuid[]) AND t.status = ANY($5::varchar[])
        ORDER BY t.finished_at, t.id
        LIMIT $6`,
      [after.at, after.id, until, creators, FINAL_STATUSES, limit],
    );
    return rows.map((row) => this.rows.fromValues(row));
  }

  /** The task's attempts, first to last. */
  attempts(taskId: string): Promise<TaskAttemptEntity[]> {
    return this.dataSource.getRepository(TaskAttemptEntity).find({ where: { taskId }, order: { attempt: 'ASC' } });
  }

  /**
   * These tasks' statuses (those that exist), and the workers of each one's attempts still open (their runner has
   * not recorded how they ended: a cancelled task whose handler is still stopping, or whose worker died).
   */
  async holdersOf(ids: string[]): Promise<LeaseHolder[]> {
    return (await this.dataSource.query(
      `SELECT t.id, t.status,
              ARRAY(SELECT a.worker_id FROM task_attempts a WHERE a.task_id = t.id AND a.status = 'running') AS "openOn"
         FROM tasks t WHERE t.id = ANY($1::uuid[])`,
      [ids],
    )) as LeaseHolder[];
  }

  /** The state of a run's step tasks; in the run's transaction when `em` is given. */
  statesOf(ids: string[], em: EntityManager = this.dataSource.manager): Promise<StepTaskState[]> {
    return em.find(TaskEntity, {
      select: { id: true, stepId: true, status: true, output: true, error: true },
      where: { id: In(ids) },
    });
  }

  /**
   * Ends a task that is not final yet as cancelled (dropping its checkpoint), with its audit entry, under
   * the row's lock (`context` false: none, a bulk operation's entries stand for it). `createdBy` limits it to
   * that user's task. Says whether it was running.
   */
  async cancel(
    id: string,
    createdBy: string | undefined,
    context?: AuditRequestContext | false,
  ): Promise<{ task: Task; wasRunning: boolean }> {
    return this.dataSource.transaction(async (em) => {
      const found = await this.lock(em, id, createdBy);
      if (FINAL_STATUSES.includes(found.status)) throw new TaskNotCancellableError(found.status);
      const wasRunning = found.status === 'running';
      Object.assign(found, {
        status: 'cancelled',
        finishedAt: new Date(),
        nextAttemptAt: null,
        error: CANCELLED_BY_REQUEST,
      });
      const task = await em.save(found);
      await this.checkpoints.clear(em, id);
      if (context !== false)
        await this.audit.record(
          { action: 'task.cancel', outcome: 'success', resourceType: 'task', resourceId: id },
          em,
          context,
        );
      return { task, wasRunning };
    });
  }

  /**
   * Puts a failed or cancelled task back to queued as a new run, from its first step (its attempt count goes
   * on, its checkpoint is dropped), with its audit entry, under the row's lock.
   */
  async retry(id: string, createdBy: string | undefined, context?: AuditRequestContext): Promise<Task> {
    return this.dataSource.transaction(async (em) => {
      const found = await this.lock(em, id, createdBy);
      if (!RETRYABLE_STATUSES.includes(found.status)) throw new TaskNotRetryableError(found.status);
      Object.assign(found, {
        status: 'queued',
        attemptOffset: found.attempts,
        error: null,
        output: null,
        progress: 0,
        progressMessage: null,
        checkpoint: null,
        // A new run: its start is its first attempt's, as its end is its last's.
        startedAt: null,
        finishedAt: null,
        nextAttemptAt: null,
        runAt: null,
        // A new run is not bound by the first one's expiry.
        expireAt: null,
      });
      const task = await em.save(found);
      await this.checkpoints.clear(em, id);
      await this.audit.record(
        { action: 'task.retry', outcome: 'success', resourceType: 'task', resourceId: id },
        em,
        context,
      );
      return task;
    });
  }

  private async lock(em: EntityManager, id: string, createdBy: string | undefined): Promise<TaskEntity> {
    const found = await em.findOne(TaskEntity, {
      where: createdBy ? { id, createdBy } : { id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!found) throw new TaskNotFoundError();
    return found;
  }
}
