import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, LessThanOrEqual } from 'typeorm';
import type { FinishCursor } from '../../common/finish-cursor';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { isUniqueViolation } from '../../database/pg-errors';
import { WorkflowRunEntity } from '../entities/workflow-run.entity';
import { isParked, wakeAtOf } from '../step-waits';

/** A new run's fields; the repository gives it its id and times, and derives what its steps say. */
export type NewRun = Omit<WorkflowRunEntity, 'id' | 'createdAt' | 'updatedAt' | 'wakeAt' | 'parked'>;

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
}

/** Every statement on `workflow_runs`: a run stored, read, listed, and changed under its row lock. */
@Injectable()
export class WorkflowRunRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Stores a new run with its audit entry (`eventOf` names the run's id). A run whose idempotency key its
   * creator already used is not stored: the earlier run is returned, `created` false.
   */
  async create(
    fields: NewRun,
    eventOf: (run: WorkflowRunEntity) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<{ run: WorkflowRunEntity; created: boolean }> {
    try {
      const run = await this.dataSource.transaction(async (em) => {
        const stored = await em.save(em.create(WorkflowRunEntity, { ...fields, wakeAt: null, parked: false }));
        await this.audit.record(eventOf(stored), em, context);
        return stored;
      });
      return { run, created: true };
    } catch (err) {
      if (!fields.idempotencyKey || !isUniqueViolation(err, 'workflow_runs_idempotency_unique')) throw err;
      const run = await this.dataSource
        .getRepository(WorkflowRunEntity)
        .findOneByOrFail({ createdBy: fields.createdBy, idempotencyKey: fields.idempotencyKey });
      return { run, created: false };
    }
  }

  /** The run; with `createdBy`, only that user's. */
  async findById(id: string, createdBy?: string): Promise<WorkflowRunEntity | undefined> {
    const where = createdBy ? { id, createdBy } : { id };
    return (await this.dataSource.getRepository(WorkflowRunEntity).findOneBy(where)) ?? undefined;
  }

  /** A workflow's runs, newest first; with `createdBy`, only that user's. */
  async listForWorkflow(
    workflowId: string,
    createdBy: string | undefined,
    skip: number,
    limit: number,
  ): Promise<{ items: WorkflowRunEntity[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(WorkflowRunEntity).findAndCount({
      where: createdBy ? { workflowId, createdBy } : { workflowId },
      order: { createdAt: 'DESC' },
      skip,
      take: limit,
    });
    return { items, total };
  }

  /**
   * Runs still running, the longest untouched first: those whose advance may have been missed. Runs only waits
   * hold (parked) are left out: a decision or a wait's end advances them.
   */
  async oldestRunning(limit: number): Promise<string[]> {
    const runs = await this.dataSource.getRepository(WorkflowRunEntity).find({
      select: { id: true },
      where: { status: 'running', parked: false },
      order: { updatedAt: 'ASC' },
      take: limit,
    });
    return runs.map((r) => r.id);
  }

  /** Runs of `creators` concluded after `after` and by `until`, in conclusion order (then id), at most `limit`. */
  concludedBetween(after: FinishCursor, until: Date, creators: string[], limit: number): Promise<WorkflowRunEntity[]> {
    return this.dataSource
      .getRepository(WorkflowRunEntity)
      .createQueryBuilder('r')
      .where(`r.status IN ('succeeded', 'failed', 'cancelled') AND r.updated_at >= :at`, { at: after.at })
      .andWhere('(r.finished_at, r.id) > (:at, :id) AND r.finished_at <= :until', { at: after.at, id: after.id, until })
      .andWhere('r.created_by = ANY(:creators)', { creators })
      .orderBy('r.finished_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Running runs with a wait falling due at or before `horizon`, the soonest first. */
  async wakingBefore(horizon: Date, limit: number): Promise<WaitingRun[]> {
    return this.dataSource.getRepository(WorkflowRunEntity).find({
      select: { id: true, steps: true },
      where: { status: 'running', wakeAt: LessThanOrEqual(horizon) },
      order: { wakeAt: 'ASC' },
      take: limit,
    });
  }

  /** Steps waiting now across running runs, by kind (`approval`, `wait`). */
  async waitingStepCounts(): Promise<Record<string, number>> {
    const rows = (await this.dataSource.query(
      `SELECT s.value->>'kind' AS kind, count(*)::int AS count
         FROM workflow_runs r, jsonb_each(r.steps) s
        WHERE r.status = 'running' AND s.value->>'status' = 'waiting'
        GROUP BY 1`,
    )) as { kind: string | null; count: number }[];
    return Object.fromEntries(rows.map((r) => [r.kind ?? 'approval', r.count]));
  }

  transaction<T>(work: (tx: RunTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((em) =>
      work({
        em,
        lock: async (runId) =>
          (await em.findOne(WorkflowRunEntity, { where: { id: runId }, lock: { mode: 'pessimistic_write' } })) ??
          undefined,
        save: async (run) => {
          run.wakeAt = run.status === 'running' ? wakeAtOf(run.steps) : null;
          run.parked = run.status === 'running' && isParked(run.steps);
          await em.save(run);
        },
        audit: (event, context) => this.audit.record(event, em, context),
      }),
    );
  }
}
