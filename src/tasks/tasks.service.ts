import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { configure } from 'safe-stable-stringify';
import { DataSource, LessThan } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { AgentTypeRegistry } from '../agents/agent-type.registry';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditService } from '../audit/audit.service';
import type { AuditPendingEntity } from '../audit/entities/audit-pending.entity';
import { isAdmin, type Principal } from '../auth/principal';
import { type ErrorDetail, ValidationFailedError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import { createValidationPipe } from '../common/http/validation';
import { SchemaValidator } from '../common/schema/schema-validator';
import { AgentNotFoundError } from '../agents/agents.errors';
import type { AgentEntity } from '../agents/entities/agent.entity';
import { MicroBatcher } from '../database/micro-batcher';
import { preparedQuery, preparedRows } from '../database/prepared';
import { rowMapper, type RowMapper } from '../database/row-mapper';
import { CreateTaskDto, MAX_BATCH_TASKS, type TaskQueryDto } from './dto/task.dto';
import { TaskAttemptEntity } from './entities/task-attempt.entity';
import { FINAL_STATUSES, TaskEntity } from './entities/task.entity';
import { TaskCancellation } from './task-cancellation';
import { TaskCheckpoints } from './task-checkpoints';
import { EventBus } from '../events/event-bus';
import { taskEvent } from './task-event';
import { TaskLifecycle } from './task-lifecycle';
import { TaskQueue } from './task-queue';
import { taskRowsById } from './task-rows';
import {
  AgentUnavailableError,
  IdempotencyConflictError,
  IdempotencyInProgressError,
  TaskNotCancellableError,
  TaskNotFoundError,
  TaskNotRetryableError,
} from './tasks.errors';

const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
/** List totals up to this many matches are always counted. */
const EXACT_TOTAL_BELOW = 1000;
/** How long a larger total may be reused. */
const TOTAL_REUSE_MS = 5000;
/**
 * Statements of a kind running at once: reads by id, inserts of single tasks. What comes meanwhile shares
 * the next one.
 */
const STATEMENTS_IN_FLIGHT = 4;
const stableStringify = configure({ deterministic: true });
/**
 * The tasks of a batch checked and built per turn of the event loop: a batch of 1000 is ten short stretches
 * of work with other requests served in between, not one long one.
 */
const BATCH_CHUNK = 100;

export interface Submitted {
  task: TaskEntity;
  /** True when an earlier request with the same Idempotency-Key and body created it. */
  replayed: boolean;
}

@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);
  private readonly rows: RowMapper<TaskEntity>;
  private readonly largeTotals = new LRUCache<string, number>({ max: 1000, ttl: TOTAL_REUSE_MS });
  /**
   * Reads by id asked for at about the same time (polling clients, the SSE streams) go to Postgres as
   * one statement: each read still starts after it was asked for, and a round trip carries many.
   */
  private readonly reads: MicroBatcher<string, unknown[] | undefined>;
  /** Single submissions arriving together are inserted, each with its audit entry, in one statement. */
  private readonly inserts: MicroBatcher<{ task: TaskEntity; entry: AuditPendingEntity }, boolean>;
  /** The request body's validation, for the tasks of a batch, which the body's own leaves to {@link checkBatch}. */
  private readonly batchElements = createValidationPipe();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly types: AgentTypeRegistry,
    private readonly validator: SchemaValidator,
    private readonly queue: TaskQueue,
    private readonly events: EventBus,
    private readonly cancellation: TaskCancellation,
    private readonly audit: AuditService,
    private readonly lifecycle: TaskLifecycle,
    private readonly checkpoints: TaskCheckpoints,
  ) {
    this.rows = rowMapper(dataSource, TaskEntity, 't');
    this.reads = new MicroBatcher((ids) => this.readMany(ids), { maxInFlight: STATEMENTS_IN_FLIGHT });
    this.inserts = new MicroBatcher((items) => this.insertMany(items), { maxInFlight: STATEMENTS_IN_FLIGHT });
  }

  private get repo() {
    return this.dataSource.getRepository(TaskEntity);
  }

  /** Checks one submission and builds its row; problems are reported under `base` (`/tasks/3`). */
  async prepare(
    createdBy: string,
    dto: CreateTaskDto,
    base = '',
    agentOf: (id: string) => Promise<AgentEntity> = (id) => this.agents.forTask(id),
  ): Promise<TaskEntity | ErrorDetail[]> {
    let agent;
    try {
      agent = await agentOf(dto.agentId);
    } catch (err) {
      if (!(err instanceof AgentNotFoundError)) throw err;
      const deleted = await this.agents.isDeleted(dto.agentId);
      if (deleted) throw new AgentUnavailableError();
      return [{ field: `${base}/agentId`, message: 'no agent with this id' }];
    }
    const checked = this.validator.validate(this.types.get(agent.type).inputSchema, dto.input, `${base}/input`);
    if (!checked.valid) return checked.errors;
    const now = new Date();
    return this.repo.create({
      id: randomUUID(),
      createdAt: now,
      updatedAt: now,
      agentId: agent.id,
      status: 'queued',
      input: checked.value,
      priority: dto.priority ?? 5,
      maxAttempts: dto.maxAttempts ?? 3,
      backoffMs: dto.backoffMs ?? 1000,
      timeoutMs: dto.timeoutMs ?? null,
      runAt: dto.runAt ?? null,
      metadata: dto.metadata ?? {},
      createdBy,
      nextAttemptAt: dto.runAt ?? null,
      attempts: 0,
      attemptOffset: 0,
      progress: 0,
      progressMessage: null,
      output: null,
      error: null,
      checkpoint: null,
      startedAt: null,
      finishedAt: null,
      idempotencyKey: null,
      requestHash: null,
      runId: null,
      stepId: null,
    });
  }

  /** `audit` is the request's audit context, when the caller has it at hand (else the current one is used). */
  async submit(
    principal: Principal,
    dto: CreateTaskDto,
    idempotencyKey?: string,
    audit?: AuditRequestContext,
  ): Promise<Submitted> {
    const prepared = await this.prepare(principal.userId, dto);
    if (Array.isArray(prepared))
      throw new ValidationFailedError(prepared, 'The task input does not match the agent type');
    if (idempotencyKey) {
      prepared.idempotencyKey = idempotencyKey;
      prepared.requestHash = createHash('sha256')
        .update(stableStringify(dto) ?? '')
        .digest('hex');
    }
    const created = await this.insertOnce(prepared, audit);
    if (!created) return { task: await this.replay(principal, prepared), replayed: true };
    await this.afterCreate([prepared]);
    return { task: prepared, replayed: false };
  }

  /**
   * All or nothing: every task is checked first, then they are stored in one statement and queued together.
   * `elements` are the batch's tasks as sent ({@link CreateTaskBatchDto}): they are validated here, like a
   * single submission's body, {@link BATCH_CHUNK} at a time, as are their inputs.
   */
  async submitBatch(principal: Principal, elements: unknown[], audit?: AuditRequestContext): Promise<TaskEntity[]> {
    const dtos = await this.checkBatch(elements);
    // A batch names few agents: each is read once.
    const agents = new Map<string, Promise<AgentEntity>>();
    const agentOf = (id: string): Promise<AgentEntity> => {
      if (!agents.has(id)) agents.set(id, this.agents.forTask(id));
      return agents.get(id)!;
    };
    const prepared: (TaskEntity | ErrorDetail[])[] = [];
    for (let at = 0; at < dtos.length; at += BATCH_CHUNK) {
      if (at > 0) await nextTurn();
      const chunk = dtos.slice(at, at + BATCH_CHUNK);
      prepared.push(
        ...(await Promise.all(chunk.map((dto, i) => this.prepare(principal.userId, dto, `/tasks/${at + i}`, agentOf)))),
      );
    }
    const problems = prepared.filter((p): p is ErrorDetail[] => Array.isArray(p)).flat();
    if (problems.length) throw new ValidationFailedError(problems, 'Some tasks are invalid; none were created');
    const tasks = prepared as TaskEntity[];
    await this.audit.insertAudited(
      this.dataSource.manager,
      { entity: TaskEntity, rows: tasks },
      {
        action: 'task.batch_create',
        outcome: 'success',
        resourceType: 'task',
        details: { count: tasks.length, ids: tasks.map((t) => t.id) },
      },
      audit,
    );
    await this.afterCreate(tasks);
    return tasks;
  }

  /**
   * A batch's tasks as {@link CreateTaskDto}s, checked as the validation pipe checks a single submission,
   * {@link BATCH_CHUNK} at a time; every problem is reported at once, under `/tasks/<index>`.
   */
  private async checkBatch(elements: unknown[]): Promise<CreateTaskDto[]> {
    if (elements.length < 1)
      throw new ValidationFailedError([{ field: '/tasks', message: 'must contain at least 1 elements' }]);
    if (elements.length > MAX_BATCH_TASKS)
      throw new ValidationFailedError([
        { field: '/tasks', message: `must contain no more than ${MAX_BATCH_TASKS} elements` },
      ]);
    const dtos: CreateTaskDto[] = [];
    const problems: ErrorDetail[] = [];
    for (let i = 0; i < elements.length; i++) {
      if (i > 0 && i % BATCH_CHUNK === 0) await nextTurn();
      const element = elements[i];
      const base = `/tasks/${i}`;
      if (typeof element !== 'object' || element === null || Array.isArray(element)) {
        problems.push({ field: base, message: 'each value in nested property tasks must be either object or array' });
        continue;
      }
      try {
        dtos.push(
          (await this.batchElements.transform(element, { type: 'body', metatype: CreateTaskDto })) as CreateTaskDto,
        );
      } catch (err) {
        if (!(err instanceof ValidationFailedError)) throw err;
        problems.push(...(err.details ?? []).map((d) => ({ field: `${base}${d.field}`, message: d.message })));
      }
    }
    if (problems.length) throw new ValidationFailedError(problems);
    return dtos;
  }

  /**
   * Inserts the task with its audit entry, in one statement; with an Idempotency-Key, unless the same user
   * already used the key (a key older than the window is released first). False when it was not inserted.
   */
  private async insertOnce(task: TaskEntity, context?: AuditRequestContext): Promise<boolean> {
    const audit = {
      action: 'task.create',
      outcome: 'success' as const,
      resourceType: 'task',
      resourceId: task.id,
      details: { agentId: task.agentId },
    };
    if (!task.idempotencyKey) return this.inserts.submit({ task, entry: this.audit.pendingEntry(audit, context) });
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
        audit,
        context,
      );
      return ids.length === 1;
    });
  }

  /** Tasks without an Idempotency-Key, from several requests: nothing can conflict, so all or none. */
  private async insertMany(items: { task: TaskEntity; entry: AuditPendingEntity }[]): Promise<boolean[]> {
    const ids = new Set(
      await this.audit.insertWithEntries(
        this.dataSource.manager,
        { entity: TaskEntity, rows: items.map((i) => i.task) },
        items.map((i) => i.entry),
      ),
    );
    return items.map((i) => ids.has(i.task.id));
  }

  private async replay(principal: Principal, attempted: TaskEntity): Promise<TaskEntity> {
    const existing = await this.repo.findOneBy({
      createdBy: principal.userId,
      idempotencyKey: attempted.idempotencyKey!,
    });
    if (!existing) throw new IdempotencyInProgressError();
    if (existing.requestHash !== attempted.requestHash) throw new IdempotencyConflictError();
    return existing;
  }

  /**
   * Queues stored tasks and announces them. Many are handed to the queue {@link BATCH_CHUNK} at a time, each
   * chunk once the last is queued: the jobs of a whole batch at once are one long stretch of work.
   */
  async afterCreate(tasks: TaskEntity[]): Promise<void> {
    try {
      for (let at = 0; at < tasks.length; at += BATCH_CHUNK)
        await this.queue.enqueueMany(tasks.slice(at, at + BATCH_CHUNK));
    } catch (err) {
      // Postgres has the tasks; the reconciler queues them once Redis is back.
      this.logger.error(`could not queue ${tasks.length} task(s): ${(err as Error).message}`);
    }
    for (const task of tasks) this.events.publish(taskEvent(task));
  }

  /** A task the caller may see: their own, or any for an admin. Anyone else's is "not found". */
  async get(principal: Principal, id: string): Promise<TaskEntity> {
    const row = await this.reads.submit(id);
    if (!row) throw new TaskNotFoundError();
    const task = this.rows.fromValues(row);
    if (!isAdmin(principal) && task.createdBy !== principal.userId) throw new TaskNotFoundError();
    return task;
  }

  /** The batched statement behind {@link get}. */
  private readMany(ids: string[]): Promise<(unknown[] | undefined)[]> {
    return taskRowsById(this.dataSource, this.rows, ids);
  }

  /**
   * Newest first. `total` is exact, except that a count over {@link EXACT_TOTAL_BELOW} matches may be
   * reused for a few seconds ({@link TOTAL_REUSE_MS}): counting a large table on every page is what makes
   * lists slow, and a total that large moves anyway.
   */
  async list(principal: Principal, query: TaskQueryDto): Promise<Page<TaskEntity>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (!isAdmin(principal)) add('t.created_by = ?', principal.userId);
    if (query.status) add('t.status = ?', query.status);
    if (query.agentId) add('t.agent_id = ?', query.agentId);
    if (query.createdAfter) add('t.created_at >= ?', query.createdAfter);
    if (query.createdBefore) add('t.created_at <= ?', query.createdBefore);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, total] = await Promise.all([
      preparedRows(
        this.dataSource,
        `SELECT ${this.rows.columns} FROM tasks t ${filter}
          ORDER BY t.created_at DESC, t.id DESC
          LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, query.limit, query.skip],
      ),
      this.count(filter, params),
    ]);
    return new Page(
      rows.map((row) => this.rows.fromValues(row)),
      total,
      query.skip,
      query.limit,
    );
  }

  private async count(filter: string, params: unknown[]): Promise<number> {
    const key = JSON.stringify([filter, params]);
    const reused = this.largeTotals.get(key);
    if (reused !== undefined) return reused;
    const [{ n }] = (await preparedQuery(
      this.dataSource,
      `SELECT count(*)::int AS n FROM tasks t ${filter}`,
      params,
    )) as {
      n: number;
    }[];
    if (n >= EXACT_TOTAL_BELOW) this.largeTotals.set(key, n);
    return n;
  }

  async attempts(principal: Principal, id: string): Promise<TaskAttemptEntity[]> {
    await this.get(principal, id);
    return this.dataSource.getRepository(TaskAttemptEntity).find({ where: { taskId: id }, order: { attempt: 'ASC' } });
  }

  /** Queued and retrying tasks leave the queue; a running one is aborted on whichever worker holds it. */
  async cancel(principal: Principal, id: string, audit?: AuditRequestContext): Promise<TaskEntity> {
    return this.cancelWhere(isAdmin(principal) ? { id } : { id, createdBy: principal.userId }, audit);
  }

  /** Cancels a task that is not final yet; a final one is left alone. For runs cancelling their steps. */
  async cancelIfActive(id: string): Promise<void> {
    await this.cancelWhere({ id }).catch((err: unknown) => {
      if (!(err instanceof TaskNotCancellableError) && !(err instanceof TaskNotFoundError)) throw err;
    });
  }

  private async cancelWhere(
    where: { id: string; createdBy?: string },
    audit?: AuditRequestContext,
  ): Promise<TaskEntity> {
    const id = where.id;
    const { task, wasRunning } = await this.dataSource.transaction(async (em) => {
      const found = await em.findOne(TaskEntity, { where, lock: { mode: 'pessimistic_write' } });
      if (!found) throw new TaskNotFoundError();
      if (FINAL_STATUSES.includes(found.status)) throw new TaskNotCancellableError(found.status);
      const running = found.status === 'running';
      found.status = 'cancelled';
      found.finishedAt = new Date();
      found.nextAttemptAt = null;
      found.error = { code: 'CANCELLED', message: 'Cancelled by request' };
      const saved = await em.save(found);
      await this.checkpoints.clear(em, id);
      await this.audit.record(
        { action: 'task.cancel', outcome: 'success', resourceType: 'task', resourceId: id },
        em,
        audit,
      );
      return { task: saved, wasRunning: running };
    });
    if (wasRunning) await this.cancellation.requestCancel(id);
    await this.queue.remove(id).catch(() => undefined);
    this.events.publish(taskEvent(task));
    await this.lifecycle.finished(task);
    return task;
  }

  /** A new run of a failed or cancelled task, from its first step (its attempt count goes on). */
  async retry(principal: Principal, id: string, audit?: AuditRequestContext): Promise<TaskEntity> {
    const task = await this.dataSource.transaction(async (em) => {
      const found = await em.findOne(TaskEntity, {
        where: isAdmin(principal) ? { id } : { id, createdBy: principal.userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!found) throw new TaskNotFoundError();
      if (found.status !== 'failed' && found.status !== 'cancelled') throw new TaskNotRetryableError(found.status);
      Object.assign(found, {
        status: 'queued',
        attemptOffset: found.attempts,
        error: null,
        output: null,
        progress: 0,
        progressMessage: null,
        checkpoint: null,
        finishedAt: null,
        nextAttemptAt: null,
        runAt: null,
      });
      const saved = await em.save(found);
      // A new run starts from its first step: nothing of the last run's checkpoint is resumed.
      await this.checkpoints.clear(em, id);
      await this.audit.record(
        { action: 'task.retry', outcome: 'success', resourceType: 'task', resourceId: id },
        em,
        audit,
      );
      return saved;
    });
    await this.queue.remove(id);
    await this.afterCreate([task]);
    return task;
  }
}
