import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { configure } from 'safe-stable-stringify';
import { AgentNotFoundError } from '../agents/agents.errors';
import { AgentTypeRegistry } from '../agents/agent-type.registry';
import type { AuditRequestContext } from '../audit/audit-context';
import type { AuditEvent } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { type ErrorDetail, ValidationFailedError } from '../common/errors/app.error';
import { createValidationPipe } from '../common/http/validation';
import { SchemaValidator } from '../common/schema/schema-validator';
import { EventBus } from '../events/event-bus';
import { CreateTaskDto, MAX_BATCH_TASKS } from './dto/task.dto';
import { expiryOf } from './expiry-rule';
import { TaskRepository } from './persistence/task.repository';
import type { Agent, AgentLookup, EventPublisher, TaskJobs, TaskStore } from './ports';
import type { Task } from './task';
import { taskEvent } from './task-event';
import { TaskQueue } from './task-queue';
import { newTask } from './new-task';
import { AgentUnavailableError, IdempotencyConflictError, IdempotencyInProgressError } from './tasks.errors';
import { AgentsService } from '../agents/agents.service';

const stableStringify = configure({ deterministic: true });

/** What a request with an idempotency key is compared by when the key comes again. */
const requestHashOf = (body: unknown): string =>
  createHash('sha256')
    .update(stableStringify(body) ?? '')
    .digest('hex');

/** The key of each task of a batch sent with `key`: one per place, whatever the key's length (`batch:` is ours). */
function batchKeys(key: string): (index: number) => string {
  const digest = createHash('sha256').update(key).digest('hex');
  return (index) => `batch:${digest}:${index}`;
}
/**
 * The tasks of a batch checked and built per turn of the event loop: a batch of 1000 is ten short stretches
 * of work with other requests served in between, not one long one.
 */
const BATCH_CHUNK = 100;

export interface Submitted {
  task: Task;
  /** True when an earlier request with the same Idempotency-Key and body created it. */
  replayed: boolean;
}

/**
 * How tasks come into being: checked against their agent's input schema, stored with their audit entry
 * (once per idempotency key), then queued and announced. Single submissions, all-or-nothing batches, and a
 * workflow run's steps inside the run's transaction all go this way.
 */
@Injectable()
export class TaskSubmission {
  private readonly logger = new Logger(TaskSubmission.name);
  /** The request body's validation, for the tasks of a batch, which the body's own leaves to {@link checkBatch}. */
  private readonly batchElements = createValidationPipe();

  constructor(
    @Inject(TaskRepository) private readonly store: TaskStore,
    @Inject(AgentsService) private readonly agents: AgentLookup,
    private readonly types: AgentTypeRegistry,
    private readonly validator: SchemaValidator,
    @Inject(TaskQueue) private readonly queue: TaskJobs,
    @Inject(EventBus) private readonly events: EventPublisher,
  ) {}

  /** Refuses a new run for a deleted agent (409), as a new task for it is refused. */
  async assertAgentTakesTasks(agentId: string): Promise<void> {
    if (await this.agents.isDeleted(agentId)) throw new AgentUnavailableError();
  }

  /**
   * Checks one submission and builds its task; problems are reported under `base` (`/tasks/3`, default none).
   * `agentOf` reads the task's agent (by default {@link AgentLookup.forTask}, in `em`). `em`: the caller's
   * transaction, in which the agent is read when it is not cached (a caller holding a lock waits for no second
   * connection).
   */
  async prepare(
    createdBy: string,
    dto: CreateTaskDto,
    options: { base?: string; agentOf?: (id: string) => Promise<Agent>; em?: EntityManager } = {},
  ): Promise<Task | ErrorDetail[]> {
    const { base = '', em, agentOf = (id: string) => this.agents.forTask(id, em) } = options;
    let agent;
    try {
      agent = await agentOf(dto.agentId);
    } catch (err) {
      if (!(err instanceof AgentNotFoundError)) throw err;
      if (await this.agents.isDeleted(dto.agentId, em)) throw new AgentUnavailableError();
      return [{ field: `${base}/agentId`, message: 'no agent with this id' }];
    }
    const now = new Date();
    const expiry = expiryOf(dto, now, base);
    if (Array.isArray(expiry)) return expiry;
    const checked = this.validator.validate(this.types.get(agent.type).inputSchema, dto.input, `${base}/input`);
    if (!checked.valid) return checked.errors;
    return newTask(createdBy, agent, dto, checked.value, now, expiry.expireAt);
  }

  /**
   * A task for `createdBy` (the caller's user, or an API key's, a schedule's or a hook's creator); `audit` is
   * the request's audit context. `origin` names what submitted it for someone else (`{hookId}`): its audit
   * entry then has the platform as its actor, with the origin and the creator in its details.
   */
  async submit(
    createdBy: string,
    dto: CreateTaskDto,
    idempotencyKey?: string,
    audit?: AuditRequestContext,
    origin?: Record<string, unknown>,
  ): Promise<Submitted> {
    const requestHash = idempotencyKey ? requestHashOf(dto) : null;
    // A retry of a request that made its task is answered with it, even where a new one would be refused now.
    const earlier = async (refusal: Error): Promise<Submitted> => {
      const [task] = await this.replayOr(refusal, createdBy, idempotencyKey ? [idempotencyKey] : [], requestHash);
      return { task, replayed: true };
    };
    let prepared: Task | ErrorDetail[];
    try {
      prepared = await this.prepare(createdBy, dto);
    } catch (err) {
      if (err instanceof AgentUnavailableError) return earlier(err);
      throw err;
    }
    if (Array.isArray(prepared))
      return earlier(
        new ValidationFailedError(
          prepared,
          prepared.every((p) => p.field.startsWith('/input'))
            ? 'The task input does not match the agent type'
            : undefined,
        ),
      );
    if (idempotencyKey) {
      prepared.idempotencyKey = idempotencyKey;
      prepared.requestHash = requestHash;
    }
    const event = {
      action: 'task.create',
      outcome: 'success' as const,
      resourceType: 'task',
      resourceId: prepared.id,
      details: { agentId: prepared.agentId },
      ...(origin
        ? { actorType: 'system' as const, actorId: null, details: { agentId: prepared.agentId, createdBy, ...origin } }
        : {}),
    };
    if (!(await this.store.insert(prepared, event, audit)))
      return { task: await this.replay(createdBy, prepared), replayed: true };
    await this.afterCreate([prepared]);
    return { task: prepared, replayed: false };
  }

  /**
   * All or nothing: every task is checked first, then they are stored in one statement and queued together.
   * `elements` are the batch's tasks as sent ({@link CreateTaskBatchDto}): they are validated here, like a
   * single submission's body, {@link BATCH_CHUNK} at a time, as are their inputs.
   */
  async submitBatch(
    principal: Principal,
    elements: unknown[],
    idempotencyKey?: string,
    audit?: AuditRequestContext,
  ): Promise<{ tasks: Task[]; replayed: boolean }> {
    const dtos = await this.checkBatch(elements);
    // A batch names few agents: each is read once.
    const agents = new Map<string, Promise<Agent>>();
    const agentOf = (id: string): Promise<Agent> => {
      if (!agents.has(id)) agents.set(id, this.agents.forTask(id));
      return agents.get(id)!;
    };
    // Each task of a batch sent with a key is stored under a key of its own, derived from it and its place.
    const keyOf = idempotencyKey && batchKeys(idempotencyKey);
    const requestHash = keyOf ? requestHashOf(dtos) : null;
    // A retry of a request that made its tasks is answered with them, even where new ones would be refused now.
    const earlier = async (refusal: Error) => ({
      tasks: await this.replayOr(refusal, principal.userId, keyOf ? dtos.map((_, i) => keyOf(i)) : [], requestHash),
      replayed: true,
    });
    const prepared: (Task | ErrorDetail[])[] = [];
    try {
      for (let at = 0; at < dtos.length; at += BATCH_CHUNK) {
        if (at > 0) await nextTurn();
        const chunk = dtos.slice(at, at + BATCH_CHUNK);
        prepared.push(
          ...(await Promise.all(
            chunk.map((dto, i) => this.prepare(principal.userId, dto, { base: `/tasks/${at + i}`, agentOf })),
          )),
        );
      }
    } catch (err) {
      if (err instanceof AgentUnavailableError) return earlier(err);
      throw err;
    }
    const problems = prepared.filter((p): p is ErrorDetail[] => Array.isArray(p)).flat();
    if (problems.length)
      return earlier(new ValidationFailedError(problems, 'Some tasks are invalid; none were created'));
    const tasks = prepared as Task[];
    if (keyOf) tasks.forEach((task, i) => Object.assign(task, { idempotencyKey: keyOf(i), requestHash }));
    const stored = await this.store.insertBatch(
      tasks,
      {
        action: 'task.batch_create',
        outcome: 'success',
        resourceType: 'task',
        details: { count: tasks.length, ids: tasks.map((t) => t.id) },
      },
      audit,
    );
    if (stored) {
      await this.afterCreate(tasks);
      return { tasks, replayed: false };
    }
    const existing = await this.earlier(
      principal.userId,
      tasks.map((t) => t.idempotencyKey!),
      requestHash,
    );
    if (!existing.length) throw new IdempotencyInProgressError();
    return { tasks: existing, replayed: true };
  }

  /** What an earlier request made under `keys` (none: no key came with this one), or else `refusal` thrown. */
  private async replayOr(refusal: Error, createdBy: string, keys: string[], requestHash: string | null) {
    const tasks = keys.length ? await this.earlier(createdBy, keys, requestHash) : [];
    if (!tasks.length) throw refusal;
    return tasks;
  }

  /**
   * What an earlier request made under `keys` (one task per key) within the window, in their order; none when it
   * made nothing. Some of them only, or made by another body → {@link IdempotencyConflictError}.
   */
  private async earlier(createdBy: string, keys: string[], requestHash: string | null): Promise<Task[]> {
    const existing = await this.store.findByIdempotencyKeys(createdBy, keys);
    if (existing.length && (existing.length !== keys.length || existing.some((t) => t.requestHash !== requestHash)))
      throw new IdempotencyConflictError();
    return existing;
  }

  /**
   * Stores a workflow run's step tasks in the run's transaction, with their audit entry, written by the platform
   * for the run: a step started alone has its `task.create`; steps started together (a fan-out's branches, a
   * hundred at a time) one `task.batch_create` naming each task and step, as a batch submitted through the API.
   * They are queued by {@link afterCreate} once the transaction commits.
   */
  async insertSteps(em: EntityManager, tasks: Task[]): Promise<void> {
    if (!tasks.length) return;
    const [first] = tasks;
    const { runId, createdBy } = first;
    const event: Pick<AuditEvent, 'action' | 'resourceId' | 'details'> =
      tasks.length === 1
        ? {
            action: 'task.create',
            resourceId: first.id,
            details: { agentId: first.agentId, runId, stepId: first.stepId, createdBy },
          }
        : {
            action: 'task.batch_create',
            details: {
              count: tasks.length,
              ids: tasks.map((t) => t.id),
              runId,
              stepIds: tasks.map((t) => t.stepId),
              agentIds: [...new Set(tasks.map((t) => t.agentId))],
              createdBy,
            },
          };
    await this.store.insertInTransaction(em, tasks, {
      ...event,
      outcome: 'success',
      resourceType: 'task',
      actorType: 'system',
      actorId: null,
    });
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
        problems.push({ field: base, message: 'must be an object' });
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

  private async replay(createdBy: string, attempted: Task): Promise<Task> {
    const [existing] = await this.earlier(createdBy, [attempted.idempotencyKey!], attempted.requestHash);
    if (!existing) throw new IdempotencyInProgressError();
    return existing;
  }

  /**
   * Announces stored tasks, then queues them. The announcement goes first, and leaves (at the end of this
   * turn, see EventBus) before the queue is reached: a worker that starts a task at once announces `running`
   * after its `queued`, so a client sees every task's events in order, even the last chunk's of a big batch.
   * Many are handed to the queue {@link BATCH_CHUNK} at a time, each chunk once the last is queued: the jobs of
   * a whole batch at once are one long stretch of work.
   */
  async afterCreate(tasks: Task[]): Promise<void> {
    for (const task of tasks) this.events.publish(taskEvent(task));
    await nextTurn();
    try {
      for (let at = 0; at < tasks.length; at += BATCH_CHUNK)
        await this.queue.enqueueMany(tasks.slice(at, at + BATCH_CHUNK));
    } catch (err) {
      // Postgres has the tasks; the reconciler queues them once Redis is back.
      this.logger.error(`could not queue ${tasks.length} task(s): ${(err as Error).message}`);
    }
  }
}
