import type {
  DataSource,
  DeepPartial,
  EntityManager,
  EntityTarget,
  FindOptionsWhere,
  QueryDeepPartialEntity,
} from 'typeorm';
import { type PerUserLimit, refuseBeyondLimit } from '../common/per-user-limit';
import type { AuditRequestContext } from './audit-context';
import type { AuditEvent, AuditService } from './audit.service';

/** A row that belongs to the user who created it. */
export interface OwnedRecord {
  id: string;
  createdBy: string;
}

/** Runs first in a change's transaction and may refuse it (by throwing). */
export type ChangeCheck = (em: EntityManager) => Promise<void>;

/**
 * The statements of a table of records users own (schedules, webhook endpoints): create, read, list newest
 * first, change under the row's lock and delete, each change with its audit entry in the same transaction.
 * With `createdBy`, a call reaches only that user's records (admins pass none). The table's repository holds
 * one and adds its own statements.
 */
export class OwnedRecords<E extends OwnedRecord & { createdAt: Date }> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly entity: EntityTarget<E>,
  ) {}

  /**
   * Inserts the record with its audit entry; `check` runs first in the same transaction and may refuse it,
   * then `limit` refuses one record more than its creator may have.
   */
  create(
    fields: DeepPartial<E> & Pick<OwnedRecord, 'createdBy'>,
    eventOf: (record: E) => AuditEvent,
    context?: AuditRequestContext,
    check?: ChangeCheck,
    limit?: PerUserLimit,
  ): Promise<E> {
    return this.dataSource.transaction(async (em) => {
      await check?.(em);
      if (limit) await refuseBeyondLimit(em, this.entity, fields.createdBy, limit);
      const record = await em.save(this.entity, em.create(this.entity, fields));
      await this.audit.record(eventOf(record), em, context);
      return record;
    });
  }

  async findById(id: string, createdBy?: string): Promise<E | undefined> {
    return (await this.dataSource.getRepository(this.entity).findOneBy(this.owned(id, createdBy))) ?? undefined;
  }

  /** Newest first; `filter` narrows the list further (its fields ANDed). */
  async list(
    createdBy: string | undefined,
    skip: number,
    limit: number,
    filter: FindOptionsWhere<E> = {},
  ): Promise<{ items: E[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(this.entity).findAndCount({
      where: (createdBy ? { ...filter, createdBy } : filter) as FindOptionsWhere<E>,
      order: { createdAt: 'DESC', id: 'DESC' } as never,
      skip,
      take: limit,
    });
    return { items, total };
  }

  /**
   * Changes a record under its row lock: `change` gets it as it is and returns the audit entry of what it
   * changed. Undefined when there is no such record. `check` runs first in the same transaction. What `change`
   * reads, it reads in the transaction it is given (`em`): holding the lock, it must not wait for a second
   * connection, which those waiting for the lock may hold.
   */
  update(
    id: string,
    createdBy: string | undefined,
    change: (record: E, em: EntityManager) => AuditEvent | Promise<AuditEvent>,
    context?: AuditRequestContext,
    check?: ChangeCheck,
  ): Promise<E | undefined> {
    return this.dataSource.transaction(async (em) => {
      await check?.(em);
      const record = await this.lock(em, id, createdBy);
      if (!record) return undefined;
      const event = await change(record, em);
      const saved = await em.save(this.entity, record);
      await this.audit.record(event, em, context);
      return saved;
    });
  }

  /** Deletes a record with its audit entry; returns it, or undefined when there is none. */
  delete(
    id: string,
    createdBy: string | undefined,
    event: AuditEvent,
    context?: AuditRequestContext,
  ): Promise<E | undefined> {
    return this.dataSource.transaction(async (em) => {
      const record = await this.lock(em, id, createdBy);
      if (!record) return undefined;
      await em.delete(this.entity, { id } as FindOptionsWhere<E>);
      await this.audit.record(event, em, context);
      return record;
    });
  }

  /**
   * In `em`'s transaction: sets `stop` on each record that `keyId` created or last changed and that `running`
   * still matches, in one statement whatever their number, each with its audit entry. Returns their ids and
   * creators. For tables whose records keep the key (`changedWithKeyId`: schedules, webhook endpoints,
   * workflows). A condition beyond plain values (a column compared in SQL) goes in `running` as a `Raw`.
   */
  async stopChangedWithKey(
    em: EntityManager,
    keyId: string,
    running: FindOptionsWhere<E>,
    stop: QueryDeepPartialEntity<E>,
    eventOf: (record: OwnedRecord) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<OwnedRecord[]> {
    const result = await em
      .createQueryBuilder()
      .update(this.entity)
      .set(stop)
      .where({ ...running, changedWithKeyId: keyId })
      // Property names: TypeORM maps them to their columns (the rows come back keyed by column).
      .returning(['id', 'createdBy'])
      .execute();
    const records = (result.raw as { id: string; created_by: string }[]).map((row) => ({
      id: row.id,
      createdBy: row.created_by,
    }));
    await this.audit.recordAll(records.map(eventOf), em, context);
    return records;
  }

  /** How many records {@link stopChangedWithKey} would stop now, with the same `running` condition. */
  countChangedWithKey(keyId: string, running: FindOptionsWhere<E>): Promise<number> {
    return this.dataSource.getRepository(this.entity).countBy({ ...running, changedWithKeyId: keyId });
  }

  /** The record, its row locked for the rest of `em`'s transaction. */
  async lock(em: EntityManager, id: string, createdBy: string | undefined): Promise<E | undefined> {
    return (
      (await em.findOne(this.entity, { where: this.owned(id, createdBy), lock: { mode: 'pessimistic_write' } })) ??
      undefined
    );
  }

  private owned(id: string, createdBy: string | undefined): FindOptionsWhere<E> {
    return (createdBy ? { id, createdBy } : { id }) as FindOptionsWhere<E>;
  }
}
