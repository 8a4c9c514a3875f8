import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { bulkInsert } from '../database/bulk-insert';
import { rowMapper, type RowMapper } from '../database/row-mapper';
import { ProcessTimer } from '../jobs/process-timer';
import { entryHash, GENESIS_HASH } from './audit-chain';
import { AuditLogEntity } from './entities/audit-log.entity';
import { AuditPendingEntity } from './entities/audit-pending.entity';

/** Held while a batch is chained, so every entry links to the one before it, whichever process chains. */
const AUDIT_CHAIN_LOCK = 72_0000_2;
const BATCH = 1000;
/** How soon entries written in this process are chained, and how often entries of any process are. */
const NUDGE_MS = 200;
const SWEEP_MS = 1000;

/**
 * Moves audit entries from `audit_pending` into the hash-chained `audit_logs`, in batches, in the order
 * they were written. Entries are written with their change (no lock, no waiting on other writers); one
 * process at a time chains them, under a transaction-scoped advisory lock, shortly after they are written,
 * on a sweep, before the audit log is read, and on shutdown.
 *
 * Both the nudge and the 1 s sweep are process timers, not periodic jobs. The nudge chains this process's
 * own writes. The sweep is latency-critical (an entry is in the chain within a second of its writer's death)
 * and costs one EXISTS query when nothing waits: as a periodic job it would add a Redis round trip and the
 * queue's pick-up delay to every pass, need a maintenance worker in API processes too (they write entries),
 * and stop with Redis, while chaining needs only Postgres. The advisory lock already makes the processes'
 * sweeps take turns.
 */
@Injectable()
export class AuditChainer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditChainer.name);
  private readonly pendingRows: RowMapper<AuditPendingEntity>;
  private readonly sweep = new ProcessTimer('audit sweep', SWEEP_MS, () => this.pass(), this.logger);
  private readonly nudged = new ProcessTimer('audit nudge', NUDGE_MS, () => this.pass(true), this.logger);
  private failing = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.pendingRows = rowMapper(dataSource, AuditPendingEntity, 'p');
  }

  onApplicationBootstrap(): void {
    this.sweep.start();
  }

  /** Before the database pool closes (that happens on application shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.sweep.stop();
    this.nudged.stop();
    await this.flush().catch((err: Error) => this.logger.warn(`audit entries left to chain: ${err.message}`));
  }

  /** Entries were just written: chain them soon (one pass for everything written meanwhile). */
  nudge(): void {
    this.nudged.trigger();
  }

  /** Chains every entry committed so far, waiting for another process's batch if need be. */
  async flush(): Promise<void> {
    while ((await this.chainBatch(true)) === BATCH);
  }

  /** {@link flush}, after one cheap look: a read with nothing waiting to be chained does not queue on the lock. */
  async catchUp(): Promise<void> {
    if (await this.waiting()) await this.flush();
  }

  /** One pass: skipped when nothing waits (a sweep looks first) or another process is chaining. */
  private async pass(written = false): Promise<void> {
    try {
      if (written || (await this.waiting())) while ((await this.chainBatch(false)) === BATCH);
      if (this.failing) this.logger.log('audit chaining resumed');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.warn(`audit chaining failed, will retry: ${(err as Error).message}`);
      this.failing = true;
    }
  }

  private async waiting(): Promise<boolean> {
    const [{ waiting }] = (await this.dataSource.query('SELECT EXISTS (SELECT 1 FROM audit_pending) AS waiting')) as {
      waiting: boolean;
    }[];
    return waiting;
  }

  /** Chains up to BATCH entries; returns how many. */
  private chainBatch(wait: boolean): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      if (wait) await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
      else if (!(await this.tryLock(em))) return 0;
      const taken = (
        (await em.query(
          `WITH taken AS (
             DELETE FROM audit_pending
              WHERE position IN (SELECT position FROM audit_pending ORDER BY position LIMIT $1)
             RETURNING *
           )
           SELECT ${this.pendingRows.columns} FROM taken p ORDER BY p.position`,
          [BATCH],
        )) as Record<string, unknown>[]
      ).map((row) => this.pendingRows.map(row));
      if (!taken.length) return 0;
      // The chain goes on from its last entry or, when retention archived and deleted every entry, from the
      // latest checkpoint: a chain started again at 1 would fall under that checkpoint's range, read as archived.
      const [last] = (await em.query(
        `SELECT seq, hash FROM (
           (SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1)
           UNION ALL
           (SELECT last_seq AS seq, last_hash AS hash FROM audit_checkpoints ORDER BY last_seq DESC LIMIT 1)
         ) ends ORDER BY seq DESC LIMIT 1`,
      )) as { seq: string; hash: string }[];
      let seq = last ? BigInt(last.seq) : 0n;
      let prevHash = last?.hash ?? GENESIS_HASH;
      const entries = taken.map(({ position: _position, ...fields }) => {
        seq += 1n;
        const entry = Object.assign(new AuditLogEntity(), fields, { seq: String(seq), prevHash, hash: '' });
        entry.hash = entryHash(entry);
        prevHash = entry.hash;
        return entry;
      });
      await bulkInsert(em, AuditLogEntity, entries);
      return taken.length;
    });
  }

  private async tryLock(em: EntityManager): Promise<boolean> {
    const [{ locked }] = (await em.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [AUDIT_CHAIN_LOCK])) as {
      locked: boolean;
    }[];
    return locked;
  }
}
