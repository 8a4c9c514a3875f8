import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import { bulkInsert, bulkInsertWith, type InsertPart } from '../database/bulk-insert';
import type { AuditRequestContext } from './audit-context';
import { AuditChainer } from './audit-chainer';
import { AuditPendingEntity } from './entities/audit-pending.entity';
import { redactSecrets } from './audit-redaction';
import type { AuditActorType, AuditOutcome } from './entities/audit-log.entity';

/** How many entries {@link AuditService.recordAll} writes in one statement. */
const RECORD_ALL_CHUNK = 5000;

export interface AuditEvent {
  action: string;
  outcome: AuditOutcome;
  resourceType?: string | null;
  resourceId?: string | null;
  details?: Record<string, unknown>;
  /** Defaults to the caller of the request whose context is given (`user`, unnamed, when none was identified; `system` without a request). */
  actorType?: AuditActorType;
  actorId?: string | null;
}

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chainer: AuditChainer,
  ) {}

  /**
   * Writes one entry. Given a transaction's manager it is written in that transaction, so the entry
   * exists exactly when the change does. Given the request's context (`@RequestAuditContext()`), it names
   * the request's caller, IP and id, and marks the request's entry as written. It joins the hash chain
   * moments later ({@link AuditChainer}), so writers never wait on each other.
   */
  record(event: AuditEvent, manager?: EntityManager, context?: AuditRequestContext): Promise<void> {
    return this.recordAll([event], manager, context);
  }

  /**
   * Writes many entries as {@link record} writes one, a few thousand to a statement: the entries of one change
   * made to many records at once (a revoked key's schedules).
   */
  async recordAll(events: AuditEvent[], manager?: EntityManager, context?: AuditRequestContext): Promise<void> {
    for (let i = 0; i < events.length; i += RECORD_ALL_CHUNK) {
      const entries = events
        .slice(i, i + RECORD_ALL_CHUNK)
        .map((event) => this.entry(event, manager ? 'transaction' : 'committed', context));
      await bulkInsert(manager ?? this.dataSource.manager, AuditPendingEntity, entries);
    }
    if (events.length) this.chainer.nudge();
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
      // A request's caller not identified (a failed login, a refused token) is an unnamed user, not the platform.
      actorType: event.actorType ?? (principal ? principal.type : context ? 'user' : 'system'),
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
}
