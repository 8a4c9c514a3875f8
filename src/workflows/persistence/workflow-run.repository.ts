import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, LessThan, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import type { FinishCursor } from '../../common/finish-cursor';
import { IDEMPOTENCY_WINDOW_MS } from '../../common/http/idempotency-key';
import { answeredByEarlierRequest, type AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import type { ChangeCheck } from '../../audit/owned-records';
import { isUniqueViolation } from '../../database/pg-errors';
import { rowMapper, type RowMapper } from '../../database/row-mapper';
import { whereClause } from '../../database/where-clause';
import type { Finished, FinishedFilter } from '../../tasks/tasks.service';
import { FINAL_STEP_STATUSES, type StepState, WorkflowRunEntity } from '../entities/workflow-run.entity';
import type { WorkflowStep } from '../workflow-definition';
import { type ListedRun, listedRunsById } from './run-list';
import { type RunSlice, RunSlices, type SlicePatch } from './run-slices';
import { RunStepRows } from './run-step-rows';
import { isParked, wakeAtOf } from '../step-waits';

/** Which runs a list or a bulk operation reaches; `createdBy` limits it to one user's. */
export interface RunFilter {
  createdBy?: string;
  status?: string;
  /** Any of these statuses (a bulk operation's: those its action applies to). */
  statuses?: readonly string[];
  workflowId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  /** Runs carrying this tag (through the runs' GIN index). */
  tag?: string;
}

/** A filter as a WHERE clause on `workflow_runs r`, its parameters numbered after those in `params`. */
function runFilterClause(filter: RunFilter, params: unknown[] = []): { clause: string; params: unknown[] } {
  const { where, add } = whereClause(params);
  add('r.created_by = ?', filter.createdBy);
  add('r.status = ?', filter.status);
  add('r.status = ANY(?::varchar[])', filter.statuses);
  add('r.workflow_id = ?', filter.workflowId);
  add('r.created_at >= ?', filter.createdAfter);
  add('r.created_at <= ?', filter.createdBefore);
  add('r.tags @> ARRAY[?]::varchar[]', filter.tag);
  return { clause: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** A new run's fields; the repository gives it its id and times, and derives what its steps say. */
export type NewRun = Omit<WorkflowRunEntity, 'id' | 'createdAt' | 'updatedAt' | 'wakeAt' | 'parked' | 'openSteps'>;

/** A running run's steps, for what looks after its waits. */
export type WaitingRun = Pick<WorkflowRunEntity, 'id' | 'steps'>;

/**
 * One run's unit of work: its row locked until the transaction ends, and the transaction itself (`em`), in
 * which the run's step tasks are stored with it.
 */
export interface RunTransaction {
  readonly em: EntityManager;
  /** The run, its row locked for the rest of the transaction; undefined when there is none. */
  lock(runId: string): Promise<WorkflowRunEntity | undefined>;
  save(run: WorkflowRunEntity): Promise<void>;
  /** An audit entry that commits with the run's change. */
  audit(event: AuditEvent, context?: AuditRequestContext): Promise<void>;
  /** The run's own fields without its steps, its row locked; the steps are read as needed ({@link states}). */
  lockSlice(runId: string): Promise<RunSlice | undefined>;
  /** These steps' states (those the run has), in this transaction. */
  states(runId: string, stepIds: readonly string[]): Promise<Record<string, StepState>>;
  /** Writes these steps' states and the run's own fields, leaving its other steps as they are. */
  patch(runId: string, patch: SlicePatch): Promise<void>;
  /** Writes these steps' states only (the run's row is written by what follows: its conclusion). */
  writeStates(runId: string, steps: Record<string, StepState>): Promise<void>;
  /** Writes a run that concluded with every step over: its status, output and end, not its steps. */
  conclude(run: WorkflowRunEntity): Promise<void>;
}

/** A running run's place in the order of the longest untouched first (its `updated_at`, then its id). */
export interface RunningCursor {
  id: string;
  at: string;
}

/** Every statement on `workflow_runs`: a run stored, read, listed, and changed under its row lock. */
@Injectable()
export class WorkflowRunRepository {
  private readonly rows: RowMapper<WorkflowRunEntity>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {
    this.rows = rowMapper(dataSource, WorkflowRunEntity, 'r');
  }

  /**
   * Stores a new run with its audit entry (`eventOf` names the run's id). A run whose idempotency key its
   * creator already used is not stored: the earlier run is returned, `created` false (a key older than the
   * window is released first, as a task's). `check` runs first in the same transaction and may refuse it.
   */
  async create(
    fields: NewRun,
    eventOf: (run: WorkflowRunEntity) => AuditEvent,
    context?: AuditRequestContext,
    check?: ChangeCheck,
  ): Promise<{ run: WorkflowRunEntity; created: boolean }> {
    try {
      const run = await this.dataSource.transaction(async (em) => {
        await check?.(em);
        if (fields.idempotencyKey)
          await em.update(
            WorkflowRunEntity,
            {
              createdBy: fields.createdBy,
              idempotencyKey: fields.idempotencyKey,
              createdAt: LessThan(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)),
            },
            { idempotencyKey: null },
          );
        const openSteps = openStepsOf(fields.steps);
        const stored = await em.save(
          em.create(WorkflowRunEntity, { ...fields, wakeAt: null, parked: false, openSteps }),
        );
        stored.steps = fields.steps;
        await new RunStepRows(em).write(stored.id, fields.steps);
        await this.audit.record(eventOf(stored), em, context);
        return stored;
      });
      return { run, created: true };
    } catch (err) {
      if (!fields.idempotencyKey || !isUniqueViolation(err, 'workflow_runs_idempotency_unique')) throw err;
      const run = await this.earlier(fields.createdBy, fields.idempotencyKey, context);
      if (!run) throw err;
      return { run, created: false };
    }
  }

  /** The run `createdBy` started under `idempotencyKey` within the window, the answer to this request (`context`). */
  async earlier(createdBy: string, idempotencyKey: string, context?: AuditRequestContext) {
    const run = await this.dataSource.getRepository(WorkflowRunEntity).findOneBy({
      createdBy,
      idempotencyKey,
      createdAt: MoreThanOrEqual(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)),
    });
    if (!run) return undefined;
    answeredByEarlierRequest(context);
    return (await this.withSteps([run]))[0];
  }

  /** The run's own fields without its steps, unlocked; undefined when there is none. */
  readSlice(runId: string): Promise<RunSlice | undefined> {
    return new RunSlices(this.dataSource.manager).read(runId, false);
  }

  /** These steps' states, outside any transaction. */
  states(runId: string, stepIds: readonly string[]): Promise<Record<string, StepState>> {
    return new RunSlices(this.dataSource.manager).states(runId, stepIds);
  }

  /** The steps the run started with (its workflow version's). */
  async definitionOf(runId: string): Promise<WorkflowStep[]> {
    const run = await this.dataSource
      .getRepository(WorkflowRunEntity)
      .findOne({ select: { id: true, definition: true }, where: { id: runId } });
    return run?.definition ?? [];
  }

  /** The run; with `createdBy`, only that user's. */
  async findById(id: string, createdBy?: string): Promise<WorkflowRunEntity | undefined> {
    const where = createdBy ? { id, createdBy } : { id };
    const run = await this.dataSource.getRepository(WorkflowRunEntity).findOneBy(where);
    return run ? (await this.withSteps([run]))[0] : undefined;
  }

  /**
   * Runs matching the filter, newest first, with their count; input and output only within the list's bound,
   * steps without their outputs, and only of runs within the list's number of steps ({@link ListedRun}).
   */
  async list(filter: RunFilter, skip: number, limit: number): Promise<{ items: ListedRun[]; total: number }> {
    const { clause, params } = runFilterClause(filter);
    const ids = (
      (await this.dataSource.query(
        `SELECT r.id FROM workflow_runs r ${clause} ORDER BY r.created_at DESC, r.id DESC
          LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, limit, skip],
      )) as { id: string }[]
    ).map((r) => r.id);
    const items = await listedRunsById(this.dataSource, this.rows, ids, limit);
    return { items, total: await this.count(filter) };
  }

  async count(filter: RunFilter): Promise<number> {
    const { clause, params } = runFilterClause(filter);
    const [{ n }] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM workflow_runs r ${clause}`,
      params,
    )) as { n: number }[];
    return n;
  }

  /** Up to `limit` ids of matching runs after `after`, in id order; in the caller's transaction. */
  async idsAfter(em: EntityManager, filter: RunFilter, after: string | null, limit: number): Promise<string[]> {
    const { clause, params } = runFilterClause(filter, after ? [after] : []);
    const keyset = after ? (clause ? `${clause} AND r.id > $1` : 'WHERE r.id > $1') : clause;
    params.push(limit);
    const rows = (await em.query(
      `SELECT r.id FROM workflow_runs r ${keyset} ORDER BY r.id LIMIT $${params.length}`,
      params,
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * `createdBy`'s runs of `workflowId` that concluded with one of `statuses` after `since` (and after the page's
   * last one, `after`), oldest first, at most `limit`: concluded runs whose follow-up (a workflow trigger) may
   * have been lost.
   */
  async concludedSince(filter: FinishedFilter & { workflowId: string }, limit: number): Promise<Finished[]> {
    const { after, ...params } = filter;
    const qb = this.dataSource
      .getRepository(WorkflowRunEntity)
      .createQueryBuilder('r')
      .select(['r.id', 'r.finishedAt'])
      .where(
        'r.workflow_id = :workflowId AND r.created_by = :createdBy AND r.finished_at > :since AND r.status IN (:...statuses)',
        params,
      );
    if (after) qb.andWhere('(r.finished_at, r.id) > (:afterAt, :afterId)', { afterAt: after.at, afterId: after.id });
    const rows = await qb.orderBy('r.finished_at', 'ASC').addOrderBy('r.id', 'ASC').limit(limit).getMany();
    return rows.map((r) => ({ id: r.id, at: r.finishedAt! }));
  }

  /** Which of these idempotency keys `createdBy` has a run for. */
  async keysTaken(createdBy: string, keys: string[]): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const rows = await this.dataSource
      .getRepository(WorkflowRunEntity)
      .createQueryBuilder('r')
      .select(['r.idempotencyKey'])
      .where('r.created_by = :createdBy AND r.idempotency_key IN (:...keys)', { createdBy, keys })
      .getMany();
    return new Set(rows.map((r) => r.idempotencyKey!));
  }

  /**
   * Runs still running, the longest untouched first, `limit` of them after `after` in that order: those whose
   * advance may have been missed. Runs only waits hold (parked) are left out: a decision or a wait's end advances
   * them. Each comes with its place in the order (the time as Postgres wrote it, to the microsecond).
   */
  async oldestRunning(limit: number, after?: RunningCursor): Promise<RunningCursor[]> {
    return this.dataSource.query<RunningCursor[]>(
      `SELECT "id", "updated_at"::text AS "at" FROM "workflow_runs"
        WHERE "status" = 'running' AND NOT "parked"
          AND ($1::timestamptz IS NULL OR ("updated_at", "id") > ($1::timestamptz, $2::uuid))
        ORDER BY "updated_at", "id" LIMIT $3`,
      [after?.at ?? null, after?.id ?? null, limit],
    );
  }

  /** Runs of `creators` concluded after `after` and by `until`, in conclusion order (then id), at most `limit`. */
  async concludedBetween(
    after: FinishCursor,
    until: Date,
    creators: string[],
    limit: number,
  ): Promise<WorkflowRunEntity[]> {
    const runs = await this.dataSource
      .getRepository(WorkflowRunEntity)
      .createQueryBuilder('r')
      .where(`r.status IN ('succeeded', 'failed', 'cancelled') AND r.updated_at >= :at`, { at: after.at })
      .andWhere('(r.finished_at, r.id) > (:at, :id) AND r.finished_at <= :until', { at: after.at, id: after.id, until })
      .andWhere('r.created_by = ANY(:creators)', { creators })
      .orderBy('r.finished_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(limit)
      .getMany();
    return this.withSteps(runs);
  }

  /** Running runs with a wait falling due at or before `horizon`, the soonest first. */
  async wakingBefore(horizon: Date, limit: number): Promise<WaitingRun[]> {
    const runs = await this.dataSource.getRepository(WorkflowRunEntity).find({
      select: { id: true },
      where: { status: 'running', wakeAt: LessThanOrEqual(horizon) },
      order: { wakeAt: 'ASC' },
      take: limit,
    });
    return this.withSteps(runs);
  }

  /** Steps waiting now across running runs, by kind (`approval`, `wait`). */
  async waitingStepCounts(): Promise<Record<string, number>> {
    const rows = (await this.dataSource.query(
      `SELECT s.state->>'kind' AS kind, count(*)::int AS count
         FROM workflow_runs r JOIN workflow_run_steps s ON s.run_id = r.id
        WHERE r.status = 'running' AND s.state->>'status' = 'waiting'
        GROUP BY 1`,
    )) as { kind: string | null; count: number }[];
    return Object.fromEntries(rows.map((r) => [r.kind ?? 'approval', r.count]));
  }

  /** The runs with their steps' states, read in one statement. */
  private async withSteps<R extends Pick<WorkflowRunEntity, 'id' | 'steps'>>(runs: R[]): Promise<R[]> {
    const steps = await new RunStepRows(this.dataSource.manager).of(runs.map((r) => r.id));
    for (const run of runs) run.steps = steps.get(run.id)!;
    return runs;
  }

  /**
   * Runs `work` in one transaction, which reads and writes the steps' rows through one {@link RunSlices}: its
   * slices, and its whole runs locked and saved, alike.
   */
  transaction<T>(work: (tx: RunTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((em) => {
      const slices = new RunSlices(em);
      const { rows } = slices;
      return work({
        em,
        lockSlice: (runId) => slices.read(runId, true),
        states: (runId, stepIds) => slices.states(runId, stepIds),
        patch: (runId, patch) => slices.patch(runId, patch),
        writeStates: (runId, steps) => rows.write(runId, steps),
        conclude: (run) => slices.conclude(run),
        lock: async (runId) => {
          const run = await em.findOne(WorkflowRunEntity, {
            where: { id: runId },
            lock: { mode: 'pessimistic_write' },
          });
          if (run) run.steps = await rows.forSave(runId);
          return run ?? undefined;
        },
        save: async (run) => {
          run.wakeAt = run.status === 'running' ? wakeAtOf(run.steps) : null;
          run.parked = run.status === 'running' && isParked(run.steps);
          run.openSteps = openStepsOf(run.steps);
          // Counted again from the dependencies when next needed: this save may have ended steps without them.
          for (const state of Object.values(run.steps)) delete state.pendingDeps;
          await em.save(run);
          await rows.writeChanged(run.id, run.steps);
        },
        audit: (event, context) => this.audit.record(event, em, context),
      });
    });
  }
}

/** Steps not over yet. */
export function openStepsOf(steps: Record<string, StepState>): number {
  return Object.values(steps).filter((s) => !FINAL_STEP_STATUSES.includes(s.status)).length;
}
