import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import { bulkInsert, bulkInsertWith, type InsertPart } from '../database/bulk-insert';
import { ReadDatabase } from '../database/read-database';
import { Page } from '../common/http/envelope';
import type { AuditRequestContext } from './audit-context';
import { entryHash, GENESIS_HASH } from './audit-chain';
import { AuditChainer } from './audit-chainer';
import { AuditPendingEntity } from './entities/audit-pending.entity';
import { redactSecrets } from './audit-redaction';
import type { AuditQueryDto } from './dto/audit-query.dto';
import { type AuditActorType, AuditLogEntity, type AuditOutcome } from './entities/audit-log.entity';

const VERIFY_BATCH = 1000;

export interface AuditEvent {
  action: string;
  outcome: AuditOutcome;
  resourceType?: string | null;
  resourceId?: string | null;
  details?: Record<string, unknown>;
  /** Defaults to the caller of the request whose context is given (or `system` without one). */
  actorType?: AuditActorType;
  actorId?: string | null;
}

export interface AuditVerification {
  valid: boolean;
  checked: number;
  firstBrokenId?: string;
}

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chainer: AuditChainer,
    /** Lists may read a replica (see {@link ReadDatabase}); chaining and writes use the primary. */
    private readonly readDb: ReadDatabase,
  ) {}

  /**
   * Writes one entry. Given a transaction's manager it is written in that transaction, so the entry
   * exists exactly when the change does. Given the request's context (`@RequestAuditContext()`), it names
   * the request's caller, IP and id, and marks the request's entry as written. It joins the hash chain
   * moments later ({@link AuditChainer}), so writers never wait on each other.
   */
  async record(event: AuditEvent, manager?: EntityManager, context?: AuditRequestContext): Promise<void> {
    const entry = this.entry(event, manager ? 'transaction' : 'committed', context);
    await bulkInsert(manager ?? this.dataSource.manager, AuditPendingEntity, [entry]);
    this.chainer.nudge();
  }

  /**
   * Inserts rows and their audit entry in one statement: the entry exists exactly when a row was
   * inserted. Returns the ids inserted (none when `ignoreConflicts` skipped them all).
   */
  async insertAudited<T extends ObjectLiteral>(
    em: EntityManager,
    part: InsertPart<T>,
    event: AuditEvent,
    context?: AuditRequestContext,
  ): Promise<string[]> {
    return this.insertWithEntries(em, part, [this.pendingEntry(event, context)]);
  }

  /**
   * The entry of a change that is written together with it ({@link insertWithEntries}), made now: it
   * takes the actor and request of the caller.
   */
  pendingEntry(event: AuditEvent, context?: AuditRequestContext): AuditPendingEntity {
    return this.entry(event, 'transaction', context);
  }

  /**
   * Inserts rows and prepared entries ({@link pendingEntry}) in one statement: the entries exist exactly
   * when a row was inserted. Several callers' rows can share the statement, each with its own entry.
   */
  async insertWithEntries<T extends ObjectLiteral>(
    em: EntityManager,
    part: InsertPart<T>,
    entries: AuditPendingEntity[],
  ): Promise<string[]> {
    const ids = await bulkInsertWith(em, part, { entity: AuditPendingEntity, rows: entries });
    this.chainer.nudge();
    return ids;
  }

  /** `context` is the request's, when the entry is written for one. */
  private entry(
    event: AuditEvent,
    recorded: 'transaction' | 'committed',
    context?: AuditRequestContext,
  ): AuditPendingEntity {
    if (context) context.recorded = recorded;
    const principal = context?.principal;
    return Object.assign(new AuditPendingEntity(), {
      id: randomUUID(),
      timestamp: new Date(),
      actorType: event.actorType ?? (principal ? principal.type : 'system'),
      actorId: event.actorId !== undefined ? event.actorId : (principal?.apiKeyId ?? principal?.userId ?? null),
      action: event.action,
      resourceType: event.resourceType ?? null,
      resourceId: event.resourceId ?? null,
      outcome: event.outcome,
      ip: context?.ip ?? null,
      userAgent: context?.userAgent?.slice(0, 512) ?? null,
      requestId: context?.requestId ?? null,
      details: (redactSecrets(event.details ?? {}) as Record<string, unknown>) ?? {},
    });
  }

  /**
   * Newest first; entries still waiting to be chained are chained first, so a read of the primary sees every
   * write (a replica, when the request may read one, shows them once it has replayed them).
   */
  async list(query: AuditQueryDto): Promise<Page<AuditLogEntity>> {
    await this.chainer.flush();
    const qb = this.readDb.reader().getRepository(AuditLogEntity).createQueryBuilder('a');
    if (query.actorId) qb.andWhere('a.actorId = :actorId', { actorId: query.actorId });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.resourceType) qb.andWhere('a.resourceType = :resourceType', { resourceType: query.resourceType });
    if (query.resourceId) qb.andWhere('a.resourceId = :resourceId', { resourceId: query.resourceId });
    if (query.outcome) qb.andWhere('a.outcome = :outcome', { outcome: query.outcome });
    if (query.from) qb.andWhere('a.timestamp >= :from', { from: query.from });
    if (query.to) qb.andWhere('a.timestamp <= :to', { to: query.to });
    const [items, total] = await qb.orderBy('a.seq', 'DESC').skip(query.skip).take(query.limit).getManyAndCount();
    return new Page(items, total, query.skip, query.limit);
  }

  /** Recomputes every hash in chain order; the first entry whose hash or link does not hold is reported. */
  async verify(): Promise<AuditVerification> {
    await this.chainer.flush();
    const repo = this.dataSource.getRepository(AuditLogEntity);
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let afterSeq = '0';
    for (;;) {
      const batch = await repo
        .createQueryBuilder('a')
        .where('a.seq > :afterSeq', { afterSeq })
        .orderBy('a.seq', 'ASC')
        .take(VERIFY_BATCH)
        .getMany();
      for (const entry of batch) {
        checked += 1;
        if (entry.prevHash !== prevHash || entryHash(entry) !== entry.hash) {
          return { valid: false, checked, firstBrokenId: entry.id };
        }
        prevHash = entry.hash;
      }
      if (batch.length < VERIFY_BATCH) return { valid: true, checked };
      afterSeq = batch[batch.length - 1].seq;
    }
  }
}
