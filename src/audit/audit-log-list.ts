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
    if (query.resourceType) add('a.resource_type = ?', query.resourceType);
    if (query.resourceId) add('a.resource_id = ?', query.resourceId);
    if (query.outcome) add('a.outcome = ?', query.outcome);
    if (query.beforeSeq) add('a.seq < ?', query.beforeSeq);
    const db = this.readDb.reader();
    const range: string[] = [];
    if (query.from || query.to) {
      const span = await this.seqSpanOf(db, query.from, query.to);
      if (span === null) return new Page([], 0, query.skip, query.limit, { totalCapped: false, hasMore: false });
      add('a.seq <= ?', span.last);
      add('a.seq >= ?', span.first);
      for (const [sql, value] of [
        ['a."timestamp" >= ?', query.from],
        ['a."timestamp" <= ?', query.to],
      ] as const) {
        if (value === undefined) continue;
        params.push(value);
        range.push(sql.replace('?', `$${params.length}`));
      }
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    /*
     * With a time range, a page is read from a subquery over the range's span of chain order, whose result the
     * time conditions filter from outside. Postgres takes the range and the span for independent conditions and,
     * multiplying their selectivities, expects a few dozen entries where there are thousands: it then sorted the
     * whole range to show 50 entries (30 ms for a week of a million-entry log) rather than walk the span back in
     * chain order and stop (0.2 ms). `OFFSET 0` keeps the subquery apart; the outer query has no ORDER BY of its
     * own (with one, Postgres plans the subquery for reading every entry), so the page keeps the subquery's
     * order. The count reads every match of the range anyway, and answers a range alone from the (timestamp,
     * seq) index without the table.
     */
    const page = range.length
      ? `(SELECT a.* FROM audit_logs a ${filter} ORDER BY a.seq DESC OFFSET 0) a WHERE ${range.join(' AND ')}`
      : `audit_logs a ${filter} ORDER BY a.seq DESC`;
    const matches = [...where, ...range];
    const bound = query.skip + AUDIT_COUNT_BOUND;
    const [items, [{ n }]] = await Promise.all([
      db.query(`SELECT ${this.rows.columns} FROM ${page} OFFSET ${query.skip} LIMIT ${query.limit}`, params) as Promise<
        Record<string, unknown>[]
      >,
      db.query(
        `SELECT count(*)::int AS n FROM (
           SELECT 1 FROM audit_logs a ${matches.length ? `WHERE ${matches.join(' AND ')}` : ''} LIMIT ${bound + 1}
         ) bounded`,
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
   * The first and last entries (in chain order) of a time range, read from the (timestamp, seq) index over the
   * range alone, in one pass. `seq + 0` keeps Postgres from answering min(seq) and max(seq) by walking the seq
   * index from either end of the log and filtering on time: timestamps follow seq, so for a range months old that
   * walk reads every newer (or older) entry.
   */
  private async seqSpanOf(db: DataSource, from?: Date, to?: Date): Promise<{ first: string; last: string } | null> {
    const params = [from, to].filter((d): d is Date => d !== undefined);
    const range = [from && 't."timestamp" >= $1', to && `t."timestamp" <= $${params.length}`].filter(Boolean);
    const [span] = (await db.query(
      `SELECT min(t.seq + 0)::text AS first, max(t.seq + 0)::text AS last FROM audit_logs t WHERE ${range.join(' AND ')}`,
      params,
    )) as { first: string | null; last: string | null }[];
    return span.first === null || span.last === null ? null : { first: span.first, last: span.last };
  }
}
