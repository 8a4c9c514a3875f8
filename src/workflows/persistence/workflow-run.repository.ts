import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { isUniqueViolation } from '../../database/pg-errors';
import { type RunStatus, WorkflowRunEntity } from '../entities/workflow-run.entity';

/** Which runs a list shows; `createdBy` limits it to one user's. */
export interface RunListFilter {
  workflowId?: string;
  createdBy?: string;
  status?: RunStatus;
  /** Runs carrying this tag. */
  tag?: string;
  skip: number;
  limit: number;
}

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

  /** Runs, newest first, as the filter says (a tag through the runs' GIN index). */
  async list(filter: RunListFilter): Promise<{ items: WorkflowRunEntity[]; total: number }> {
    const query = this.dataSource.getRepository(WorkflowRunEntity).createQueryBuilder('r');
    if (filter.workflowId) query.andWhere('r.workflowId = :workflowId', { workflowId: filter.workflowId });
    if (filter.createdBy) query.andWhere('r.createdBy = :createdBy', { createdBy: filter.createdBy });
    if (filter.status) query.andWhere('r.status = :status', { status: filter.status });
    if (filter.tag) query.andWhere('r.tags @> ARRAY[:tag]::varchar[]', { tag: filter.tag });
    const [items, total] = await query
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .skip(filter.skip)
      .take(filter.limit)
      .getManyAndCount();
    return { items, total };
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
