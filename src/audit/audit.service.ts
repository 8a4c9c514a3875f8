import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { Page } from '../common/http/envelope';
import { AuditContextStore } from './audit-context';
import { entryHash, GENESIS_HASH } from './audit-chain';
import { redactSecrets } from './audit-redaction';
import type { AuditQueryDto } from './dto/audit-query.dto';
import { type AuditActorType, AuditLogEntity, type AuditOutcome } from './entities/audit-log.entity';

/** Serialises appends so every entry links to the one before it, whichever process writes it. */
const AUDIT_CHAIN_LOCK = 72_0000_2;
const VERIFY_BATCH = 1000;

export interface AuditEvent {
  action: string;
  outcome: AuditOutcome;
  resourceType?: string | null;
  resourceId?: string | null;
  details?: Record<string, unknown>;
  /** Defaults to the current request's caller (or `system` outside a request). */
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
    private readonly context: AuditContextStore,
  ) {}

  /**
   * Appends one entry. Given a transaction's manager it is written in that transaction, so the entry
   * exists exactly when the change does; the chain lock is then held until that transaction ends.
   */
  async record(event: AuditEvent, manager?: EntityManager): Promise<AuditLogEntity> {
    const ctx = this.context.current();
    if (ctx) ctx.recorded = manager ? 'transaction' : 'committed';
    const principal = ctx?.principal;
    const append = async (em: EntityManager): Promise<AuditLogEntity> => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
      const [last] = (await em.query('SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1')) as {
        seq: string;
        hash: string;
      }[];
      const entry = em.create(AuditLogEntity, {
        id: randomUUID(),
        seq: String(last ? BigInt(last.seq) + 1n : 1n),
        timestamp: new Date(),
        actorType: event.actorType ?? (principal ? principal.type : 'system'),
        actorId: event.actorId !== undefined ? event.actorId : (principal?.apiKeyId ?? principal?.userId ?? null),
        action: event.action,
        resourceType: event.resourceType ?? null,
        resourceId: event.resourceId ?? null,
        outcome: event.outcome,
        ip: ctx?.ip ?? null,
        userAgent: ctx?.userAgent?.slice(0, 512) ?? null,
        requestId: ctx?.requestId ?? null,
        details: (redactSecrets(event.details ?? {}) as Record<string, unknown>) ?? {},
        prevHash: last?.hash ?? GENESIS_HASH,
        hash: '',
      });
      entry.hash = entryHash(entry);
      await em.insert(AuditLogEntity, entry as QueryDeepPartialEntity<AuditLogEntity>);
      return entry;
    };
    return manager ? append(manager) : this.dataSource.transaction(append);
  }

  async list(query: AuditQueryDto): Promise<Page<AuditLogEntity>> {
    const qb = this.dataSource.getRepository(AuditLogEntity).createQueryBuilder('a');
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
