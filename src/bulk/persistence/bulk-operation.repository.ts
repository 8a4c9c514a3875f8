import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, LessThan } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { OwnedRecords } from '../../audit/owned-records';
import { type BulkKind, BulkOperationEntity, type BulkStatus } from '../entities/bulk-operation.entity';

export type BulkOperation = BulkOperationEntity;
export type NewBulkOperation = Pick<
  BulkOperation,
  'kind' | 'action' | 'filter' | 'matched' | 'snapshotAt' | 'createdBy'
>;

/** What one batch moved: the cursor past its last item, and its counts. */
export interface BatchProgress {
  cursor: string | undefined;
  done: number;
  failed: number;
}

/**
 * Every statement on `bulk_operations`: created with its audit entry, read and listed by their creators (admins:
 * all), and moved a batch at a time under the row's lock, in the transaction that changes the batch's items.
 */
@Injectable()
export class BulkOperationRepository {
  private readonly records: OwnedRecords<BulkOperation>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {
    this.records = new OwnedRecords(dataSource, audit, BulkOperationEntity);
  }

  create(fields: NewBulkOperation, eventOf: (op: BulkOperation) => AuditEvent, context?: AuditRequestContext) {
    return this.records.create({ ...fields, status: 'queued' }, eventOf, context);
  }

  findById(id: string, createdBy?: string): Promise<BulkOperation | undefined> {
    return this.records.findById(id, createdBy);
  }

  /** Newest first, of the given kinds only (`total` too). */
  list(createdBy: string | undefined, kinds: readonly BulkKind[], skip: number, limit: number) {
    return this.records.list(createdBy, skip, limit, { kind: In([...kinds]) });
  }

  /** Marks a queued or running operation as running; undefined when it is over (or gone). */
  async start(id: string): Promise<BulkOperation | undefined> {
    const repo = this.dataSource.getRepository(BulkOperationEntity);
    await repo.update({ id, status: 'queued' }, { status: 'running' });
    return (await repo.findOneBy({ id, status: 'running' })) ?? undefined;
  }

  /**
   * One batch: `work` changes the items after the operation's cursor in the same transaction, under the
   * operation's row lock, and its progress is stored with them. Undefined when the operation is no longer
   * running (another worker finished it).
   */
  async advance<T extends BatchProgress>(
    id: string,
    work: (em: EntityManager, op: BulkOperation) => Promise<T>,
  ): Promise<{ op: BulkOperation; batch: T } | undefined> {
    return this.dataSource.transaction(async (em) => {
      const op = await this.records.lock(em, id, undefined);
      if (!op || op.status !== 'running') return undefined;
      const batch = await work(em, op);
      if (batch.cursor) op.cursor = batch.cursor;
      op.done += batch.done;
      op.failed += batch.failed;
      await em.save(op);
      return { op, batch };
    });
  }

  /** Ends a running operation with the audit entry `eventOf` makes of it; undefined when it was not running. */
  async finish(
    id: string,
    status: Extract<BulkStatus, 'succeeded' | 'failed'>,
    error: string | null,
    eventOf: (op: BulkOperation) => AuditEvent,
  ): Promise<BulkOperation | undefined> {
    return this.dataSource.transaction(async (em) => {
      const op = await this.records.lock(em, id, undefined);
      if (!op || op.status !== 'running') return undefined;
      Object.assign(op, { status, error: error?.slice(0, 500) ?? null, finishedAt: new Date() });
      await em.save(op);
      await this.audit.record(eventOf(op), em);
      return op;
    });
  }

  /** Operations not over that nothing touched for `idleMs`: their job may be lost. */
  async stale(idleMs: number, limit: number): Promise<BulkOperation[]> {
    return this.dataSource.getRepository(BulkOperationEntity).find({
      where: { status: In(['queued', 'running']), updatedAt: LessThan(new Date(Date.now() - idleMs)) },
      order: { updatedAt: 'ASC' },
      take: limit,
    });
  }
}
