import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { CHAINED_COLUMNS, GENESIS_HASH } from './audit-chain';
import {
  type ArchivedEntry,
  archiveEnds,
  archivesAfter,
  checkArchive,
  type ArchiveCheck,
  writeArchive,
} from './audit-archive';
import {
  archiveName,
  checkpointKey,
  checkpointSignatureHolds,
  checkpointVerifyingKeys,
  signCheckpoint,
} from './audit-checkpoint';
import { AuditCheckpoints } from './audit-checkpoints';
import type { AuditCheckpointEntity } from './entities/audit-checkpoint.entity';

/** Held (session-wide, on a connection of its own) while a pass runs: passes never overlap. */
const AUDIT_RETENTION_LOCK = 72_0000_3;
const DAY_MS = 86_400_000;
const READ_BATCH = 5000;

/** Archives after the latest checkpoint that do not hold this database's entries: the pass stops rather than touch them. */
export class ForeignArchivesError extends Error {
  constructor(dir: string, names: string[]) {
    const listed = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    super(
      `audit retention stopped: ${dir} holds archives that this database did not write (${listed}); ` +
        'give each deployment an AUDIT_ARCHIVE_DIR of its own, or move them out of it',
    );
  }
}

export interface RetentionPass {
  archived: number;
  deleted: number;
  checkpoints: number;
}

/**
 * AUDIT_RETENTION_DAYS: archives the entries older than the retention, oldest first, into gzip NDJSON files in
 * AUDIT_ARCHIVE_DIR (at most AUDIT_ARCHIVE_FILE_ENTRIES each), records a signed checkpoint of each archive, then
 * deletes the archived entries in small batches. Crash-safe at every step: an archive counts only once its
 * checkpoint is committed, and that happens after the file is whole and on disk; a later pass finishes the
 * deletion of what a checkpoint covers, and writes again what no checkpoint covers (replacing its leftovers).
 */
@PeriodicJob({ name: 'audit.retention', everyMs: (config) => config.audit.retentionIntervalMs, roles: WORKER_ROLES })
@Injectable()
export class AuditRetention implements PeriodicJobHandler {
  private readonly logger = new Logger(AuditRetention.name);
  private readonly key?: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly checkpoints: AuditCheckpoints,
  ) {
    this.key = checkpointKey(config);
  }

  async run(): Promise<RetentionPass | undefined> {
    // The start refuses AUDIT_RETENTION_DAYS without a key to sign checkpoints with.
    if (this.config.audit.retentionDays === 0) return undefined;
    return this.pass(new Date(Date.now() - this.config.audit.retentionDays * DAY_MS));
  }

  private signingKey(): Buffer {
    if (!this.key) throw new Error('no AUDIT_CHECKPOINT_KEY or SECRETS_KEY to sign audit checkpoints with');
    return this.key;
  }

  /** One pass for entries written before `cutoff`; undefined when another process is running one. */
  async pass(cutoff: Date, limits: { archives?: number } = {}): Promise<RetentionPass | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        AUDIT_RETENTION_LOCK,
      ])) as {
        locked: boolean;
      }[];
      if (!locked) return undefined;
      try {
        const done: RetentionPass = { archived: 0, deleted: 0, checkpoints: 0 };
        for (;;) {
          const latest = await this.checkpoints.latest();
          done.deleted += await this.deleteThrough(latest);
          if (limits.archives !== undefined && done.checkpoints >= limits.archives) break;
          const made = await this.archiveNext(cutoff, latest);
          if (!made) break;
          done.archived += made.entries;
          done.checkpoints += 1;
        }
        if (done.archived || done.deleted) {
          this.logger.log(`audit retention: ${done.archived} entries archived, ${done.deleted} deleted`);
        }
        return done;
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [AUDIT_RETENTION_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Archives the next due entries after `latest` and records their signed checkpoint (nothing is deleted yet).
   * What an earlier, interrupted pass left behind is removed first.
   */
  async archiveNext(cutoff: Date, latest: AuditCheckpointEntity | null): Promise<AuditCheckpointEntity | undefined> {
    const dir = this.config.audit.archiveDir;
    const afterSeq = latest?.lastSeq ?? '0';
    await this.removeLeftovers(dir, afterSeq);
    const firstSeq = String(BigInt(afterSeq) + 1n);
    const lastSeq = await this.checkpoints.lastDue(firstSeq, cutoff, this.config.audit.archiveFileEntries);
    if (!lastSeq) return undefined;
    const prevHash = latest?.lastHash ?? GENESIS_HASH;
    const archive = archiveName(firstSeq, lastSeq);
    const written = await writeArchive(dir, archive, this.entries(firstSeq, lastSeq), prevHash);
    // Its entries deleted meanwhile (by hand: the table refuses it otherwise): nothing to record.
    if (written.entries === 0) {
      await rm(join(dir, archive), { force: true });
      return undefined;
    }
    const fields = {
      firstSeq,
      lastSeq: written.lastSeq,
      prevHash,
      lastHash: written.lastHash,
      entries: written.entries,
      archive,
      archiveSha256: written.sha256,
      archiveBytes: String(written.bytes),
      cutoff,
      createdAt: new Date(),
    };
    return this.checkpoints.insert({ ...fields, signature: signCheckpoint(fields, this.signingKey()) });
  }

  /**
   * Removes what an interrupted pass left in `dir`: temporary files, and an archive written whose checkpoint was
   * not (its entries are still in the table, and are written again). An archive after the latest checkpoint
   * (`afterSeq`) whose first and last entries are not this table's, hash for hash, was not written for this
   * database (a directory another deployment uses, a database created anew): nothing is removed, and the pass
   * stops with {@link ForeignArchivesError}. An archive that holds no entry is nobody's, and is removed.
   */
  private async removeLeftovers(dir: string, afterSeq: string): Promise<void> {
    const found = await archivesAfter(dir, BigInt(afterSeq));
    const foreign: string[] = [];
    for (const name of found)
      if (!name.endsWith('.tmp') && !(await this.holdsOwnEntries(join(dir, name)))) foreign.push(name);
    if (foreign.length) throw new ForeignArchivesError(dir, foreign);
    for (const name of found) await rm(join(dir, name), { force: true });
    if (found.length) this.logger.warn(`audit archive leftovers of an interrupted pass removed: ${found.join(', ')}`);
  }

  /**
   * Whether the archive at `path` begins and ends with entries of this table (the chain links what lies between),
   * or holds none.
   */
  private async holdsOwnEntries(path: string): Promise<boolean> {
    const ends = await archiveEnds(path);
    if (ends === 'empty') return true;
    if (!ends) return false;
    const hashes = await this.checkpoints.hashesAt([ends.first.seq, ends.last.seq]);
    return hashes.get(ends.first.seq) === ends.first.hash && hashes.get(ends.last.seq) === ends.last.hash;
  }

  /** Deletes what `latest` covers and is still in the table, batch after batch; returns how many went. */
  async deleteThrough(latest: AuditCheckpointEntity | null): Promise<number> {
    if (!latest) return 0;
    let deleted = 0;
    for (;;) {
      const n = await this.checkpoints.deleteArchived(latest, this.config.audit.deleteBatch);
      deleted += n;
      if (n < this.config.audit.deleteBatch) return deleted;
    }
  }

  /** A checkpoint's signature, and its archive read back against it. */
  async checkArchive(checkpoint: AuditCheckpointEntity): Promise<ArchiveCheck & { signatureValid: boolean }> {
    const signatureValid = checkpointSignatureHolds(checkpoint, checkpointVerifyingKeys(this.config));
    const check = await checkArchive(join(this.config.audit.archiveDir, checkpoint.archive), {
      sha256: checkpoint.archiveSha256,
      bytes: checkpoint.archiveBytes,
      prevHash: checkpoint.prevHash,
      lastHash: checkpoint.lastHash,
      entries: checkpoint.entries,
    });
    return { ...check, valid: check.valid && signatureValid, signatureValid };
  }

  /** The entries from `firstSeq` to `lastSeq`, in chain order, read in keyset batches. */
  private async *entries(firstSeq: string, lastSeq: string): AsyncGenerator<ArchivedEntry> {
    let after = String(BigInt(firstSeq) - 1n);
    for (;;) {
      const rows = (await this.dataSource.query(
        `SELECT ${CHAINED_COLUMNS} FROM audit_logs WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT ${READ_BATCH}`,
        [after, lastSeq],
      )) as ArchivedEntry[];
      yield* rows;
      if (rows.length < READ_BATCH) return;
      after = rows[rows.length - 1].seq;
    }
  }
}
