import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { isUniqueViolation } from '../../database/pg-errors';
import type { Finished, FinishedFilter } from '../../tasks/tasks.service';
import { WorkflowRunEntity } from '../entities/workflow-run.entity';

/** A new run's fields; the repository gives it its id and times. */
export type NewRun = Omit<WorkflowRunEntity, 'id' | 'createdAt' | 'updatedAt'>;

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
        const stored = await em.save(em.create(WorkflowRunEntity, fields));
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

  /** Runs still running, the longest untouched first: those whose advance may have been missed. */
  async oldestRunning(limit: number): Promise<string[]> {
    const runs = await this.dataSource.getRepository(WorkflowRunEntity).find({
      select: { id: true },
      where: { status: 'running' },
      order: { updatedAt: 'ASC' },
      take: limit,
    });
    return runs.map((r) => r.id);
  }

  transaction<T>(work: (tx: RunTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((em) =>
      work({
        em,
        lock: async (runId) =>
          (await em.findOne(WorkflowRunEntity, { where: { id: runId }, lock: { mode: 'pessimistic_write' } })) ??
          undefined,
        save: async (run) => void (await em.save(run)),
        audit: (event, context) => this.audit.record(event, em, context),
      }),
    );
  }
}
