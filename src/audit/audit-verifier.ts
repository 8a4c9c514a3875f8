import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CHAINED_COLUMNS, type ChainedFields, entryHash, GENESIS_HASH } from './audit-chain';
import { checkpointKey, checkpointSignatureHolds } from './audit-checkpoint';
import { AuditChainer } from './audit-chainer';
import { AuditCheckpoints } from './audit-checkpoints';
import type { AuditCheckpointEntity } from './entities/audit-checkpoint.entity';

/** Rows read per query: the next batch is read while this one is hashed. */
const VERIFY_BATCH = 2000;

/** Where verification started: the genesis, the latest checkpoint, or the stored hash of the entry before. */
export interface VerificationAnchor {
  kind: 'genesis' | 'checkpoint' | 'entry';
  /** The seq the first checked entry links to (0 for the genesis). */
  seq: string;
  hash: string;
  /** The checkpoint's archive and when it was made (kind `checkpoint`). */
  archive?: string;
  createdAt?: Date;
}

export interface AuditVerification {
  valid: boolean;
  checked: number;
  firstBrokenId?: string;
  firstBrokenSeq?: string;
  /** Why it is not valid: an entry's hash, its link to the one before, or the checkpoint's signature. */
  reason?: 'hash' | 'link' | 'checkpoint';
  /** The first and last entry checked (null when none was). */
  fromSeq: string | null;
  toSeq: string | null;
  anchor: VerificationAnchor;
  /** False when the time budget ran out first: ask again from `nextFromSeq`. */
  complete: boolean;
  nextFromSeq?: string;
}

export interface VerifyRange {
  fromSeq?: string;
  toSeq?: string;
  from?: Date;
  to?: Date;
}

type Row = ChainedFields & { hash: string };

/**
 * Recomputes the hash chain in chain order, streamed in keyset batches (memory stays flat whatever the
 * chain's length), over the whole chain or a range of it. Entries archived by retention are gone from the table:
 * the chain then starts from the latest checkpoint, whose signature is checked first, and the answer says so.
 * A pass stops after its time budget (half the request timeout) and says where to go on from.
 */
@Injectable()
export class AuditVerifier {
  private readonly key?: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly chainer: AuditChainer,
    private readonly checkpoints: AuditCheckpoints,
  ) {
    this.key = checkpointKey(config.audit.checkpointKey, config.secretsKey);
  }

  async verify(range: VerifyRange = {}, budgetMs = this.config.http.requestTimeoutMs / 2): Promise<AuditVerification> {
    const deadline = Date.now() + budgetMs;
    await this.chainer.flush();
    const fromSeq = range.fromSeq ?? (range.from ? await this.seqAt(range.from, 'from') : undefined);
    const toSeq = range.toSeq ?? (range.to ? await this.seqAt(range.to, 'to') : undefined);
    const latest = await this.checkpoints.latest();
    const start = BigInt(fromSeq ?? '1');
    let anchor: VerificationAnchor;
    if (latest && start <= BigInt(latest.lastSeq) + 1n) {
      anchor = {
        kind: 'checkpoint',
        seq: latest.lastSeq,
        hash: latest.lastHash,
        archive: latest.archive,
        createdAt: latest.createdAt,
      };
      if (!this.signed(latest)) {
        return { valid: false, checked: 0, reason: 'checkpoint', fromSeq: null, toSeq: null, anchor, complete: true };
      }
    } else if (start <= 1n) {
      anchor = { kind: 'genesis', seq: '0', hash: GENESIS_HASH };
    } else {
      const before = await this.hashOf(String(start - 1n));
      // The entry before the range is gone and no checkpoint stands for it: the range is checked against nothing.
      anchor = { kind: 'entry', seq: String(start - 1n), hash: before ?? '' };
    }
    return this.walk(String(BigInt(anchor.seq) + 1n), toSeq, anchor, deadline);
  }

  private async walk(
    firstSeq: string,
    toSeq: string | undefined,
    anchor: VerificationAnchor,
    deadline: number,
  ): Promise<AuditVerification> {
    let prevHash = anchor.hash;
    let checked = 0;
    let first: string | null = null;
    let last: string | null = null;
    let next = this.batch(firstSeq, toSeq, true);
    for (;;) {
      const rows = await next;
      const more = rows.length === VERIFY_BATCH;
      if (more) next = this.batch(rows[rows.length - 1].seq, toSeq, false);
      for (const row of rows) {
        checked += 1;
        first ??= row.seq;
        last = row.seq;
        const reason = row.prevHash !== prevHash ? 'link' : entryHash(row) !== row.hash ? 'hash' : undefined;
        if (reason) {
          if (more) await next.catch(() => undefined);
          return {
            valid: false,
            checked,
            firstBrokenId: row.id,
            firstBrokenSeq: row.seq,
            reason,
            fromSeq: first,
            toSeq: last,
            anchor,
            complete: true,
          };
        }
        prevHash = row.hash;
      }
      if (!more) return { valid: true, checked, fromSeq: first, toSeq: last, anchor, complete: true };
      if (Date.now() > deadline) {
        await next.catch(() => undefined);
        const nextFromSeq = String(BigInt(last!) + 1n);
        return { valid: true, checked, fromSeq: first, toSeq: last, anchor, complete: false, nextFromSeq };
      }
    }
  }

  /** The entries from `seq` (or after it), up to `toSeq`, in chain order. */
  private async batch(seq: string, toSeq: string | undefined, inclusive: boolean): Promise<Row[]> {
    return (await this.dataSource.query(
      `SELECT ${CHAINED_COLUMNS} FROM audit_logs
        WHERE seq ${inclusive ? '>=' : '>'} $1 AND ($2::bigint IS NULL OR seq <= $2::bigint)
        ORDER BY seq LIMIT ${VERIFY_BATCH}`,
      [seq, toSeq ?? null],
    )) as Row[];
  }

  private async hashOf(seq: string): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(`SELECT hash FROM audit_logs WHERE seq = $1`, [seq])) as {
      hash: string;
    }[];
    return row?.hash;
  }

  /** The first entry written at or after `from`, or the last one written at or before `to`; by the time index. */
  private async seqAt(at: Date, side: 'from' | 'to'): Promise<string> {
    const [row] = (await this.dataSource.query(
      side === 'from'
        ? `SELECT seq FROM audit_logs WHERE "timestamp" >= $1 ORDER BY "timestamp", seq LIMIT 1`
        : `SELECT seq FROM audit_logs WHERE "timestamp" <= $1 ORDER BY "timestamp" DESC, seq DESC LIMIT 1`,
      [at],
    )) as { seq: string }[];
    // Nothing in the range: a range that checks no entry.
    return row?.seq ?? (side === 'from' ? '9223372036854775807' : '0');
  }

  private signed(c: AuditCheckpointEntity): boolean {
    return Boolean(this.key && checkpointSignatureHolds(c, c.signature, this.key));
  }
}
