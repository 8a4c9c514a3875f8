import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Page } from '../common/http/envelope';
import { ReadDatabase } from '../database/read-database';
import { rowMapper, type RowMapper } from '../database/row-mapper';
import { AuditChainer } from './audit-chainer';
import type { AuditQueryDto } from './dto/audit-query.dto';
import { AuditLogEntity } from './entities/audit-log.entity';

/** How far past the page the total is counted: beyond it, `total` is a lower bound (`totalCapped: true`). */
const AUDIT_COUNT_BOUND = 10_000;

/**
 * The audit log, newest first (chain order), filtered; `total` counted up to the page plus
 * {@link AUDIT_COUNT_BOUND} so that a list over millions of entries costs the same as one over thousands.
 */
@Injectable()
export class AuditLogList {
  private readonly rows: RowMapper<AuditLogEntity>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly chainer: AuditChainer,
    /** Lists may read a replica (see {@link ReadDatabase}); chaining and writes use the primary. */
    private readonly readDb: ReadDatabase,
  ) {
    this.rows = rowMapper(dataSource, AuditLogEntity, 'a');
  }

  async list(query: AuditQueryDto): Promise<Page<AuditLogEntity>> {
    await this.chainer.catchUp();
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.actorId) add('a.actor_id = ?', query.actorId);
    if (query.action) add('a.action = ?', query.action);
    if (query.excludeAction?.length) add('a.action <> ALL(?::text[])', query.excludeAction);
    if (query.resourceType) add('a.resource_type = ?', query.resourceType);
    if (query.resourceId) add('a.resource_id = ?', query.resourceId);
    if (query.outcome) add('a.outcome = ?', query.outcome);
    if (query.from) add('a."timestamp" >= ?', query.from);
    if (query.to) add('a."timestamp" <= ?', query.to);
    if (query.beforeSeq) add('a.seq < ?', query.beforeSeq);
    const db = this.readDb.reader();
    if (query.from || query.to) {
      const last = await this.lastSeqIn(db, query.from, query.to);
      if (last === null) return new Page([], 0, query.skip, query.limit, { totalCapped: false, hasMore: false });
      // A page is then read backwards in chain order from the range's last entry, not from the newest entry.
      add('a.seq <= ?', last);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const bound = query.skip + AUDIT_COUNT_BOUND;
    const [items, [{ n }]] = await Promise.all([
      db.query(
        `SELECT ${this.rows.columns} FROM audit_logs a ${filter} ORDER BY a.seq DESC OFFSET ${query.skip} LIMIT ${query.limit}`,
        params,
      ) as Promise<Record<string, unknown>[]>,
      db.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM audit_logs a ${filter} LIMIT ${bound + 1}) bounded`,
        params,
      ) as Promise<{ n: number }[]>,
    ]);
    const totalExact = n <= bound;
    const total = Math.min(n, bound);
    return new Page(
      items.map((row) => this.rows.map(row)),
      total,
      query.skip,
      query.limit,
      {
        totalCapped: !totalExact,
        hasMore: query.skip + items.length < total,
      },
    );
  }

  /**
   * The last entry (in chain order) of a time range, read from the (timestamp, seq) index over the range alone.
   * `seq + 0` keeps Postgres from answering max(seq) by walking the seq index back from the newest entry and
   * filtering on time: timestamps follow seq, so for a range months old that walk reads every newer entry.
   */
  private async lastSeqIn(db: DataSource, from?: Date, to?: Date): Promise<string | null> {
    const params = [from, to].filter((d): d is Date => d !== undefined);
    const range = [from && 't."timestamp" >= $1', to && `t."timestamp" <= $${params.length}`].filter(Boolean);
    const [{ last }] = (await db.query(
      `SELECT max(t.seq + 0)::text AS last FROM audit_logs t WHERE ${range.join(' AND ')}`,
      params,
    )) as { last: string | null }[];
    return last;
  }
}
