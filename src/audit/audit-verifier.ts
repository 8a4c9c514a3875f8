import { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { type ThreadSource, threadSource } from '../common/process/thread-source';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { GENESIS_HASH } from './audit-chain';
import { checkpointSignatureHolds, checkpointVerifyingKeys } from './audit-checkpoint';
import { AuditChainer } from './audit-chainer';
import { AuditCheckpoints } from './audit-checkpoints';
import type { VerifyJob, VerifyReply } from './audit-verify-thread';
import type { ChainWalk } from './audit-walk';

/** The verification thread's heap: a batch of entries and their hashing, whatever the chain's length. */
const THREAD_HEAP_MB = 48;
const THREAD_YOUNG_MB = 8;
/** How long past its deadline a thread may take to answer (its last batch's query) before it is stopped. */
const STOP_GRACE_MS = 10_000;

const notFinished = () =>
  new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The verification did not finish; try again', undefined, {
    'Retry-After': '5',
  });

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

export interface AuditVerification extends Omit<ChainWalk, 'reason'> {
  /** Why it is not valid: an entry's hash, its link to the one before, or the checkpoint's signature. */
  reason?: ChainWalk['reason'] | 'checkpoint';
  anchor: VerificationAnchor;
}

export interface VerifyRange {
  fromSeq?: string;
  toSeq?: string;
  from?: Date;
  to?: Date;
}

/**
 * Recomputes the hash chain in chain order, streamed in keyset batches (memory stays flat whatever the
 * chain's length), over the whole chain or a range of it. Entries archived by retention are gone from the table:
 * the chain then starts from the latest checkpoint, whose signature is checked first, and the answer says so.
 * A pass stops after its time budget (half the request timeout) and says where to go on from.
 */
@Injectable()
export class AuditVerifier implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditVerifier.name);
  /** The checkpoint key and the ones it replaced. */
  private readonly keys: Buffer[];
  private source?: ThreadSource;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly chainer: AuditChainer,
    private readonly checkpoints: AuditCheckpoints,
  ) {
    this.keys = checkpointVerifyingKeys(config);
  }

  /**
   * Says at start when the latest checkpoint does not verify under the keys given: a key changed without the former
   * one in AUDIT_CHECKPOINT_KEYS_PREVIOUS reads, later, exactly as a checkpoint altered after the fact. The start
   * does not wait for it (the database may still be on its way).
   */
  onApplicationBootstrap(): void {
    void this.keyProblem().then(
      (problem) => problem && this.logger.warn(problem),
      () => undefined,
    );
  }

  /** Why the latest checkpoint does not verify under the keys given, if it does not. */
  async keyProblem(): Promise<string | undefined> {
    const latest = await this.checkpoints.latest();
    if (!latest || checkpointSignatureHolds(latest, this.keys)) return undefined;
    return (
      `the latest audit checkpoint (${latest.id}) does not verify under AUDIT_CHECKPOINT_KEY (or the key derived ` +
      'from SECRETS_KEY) nor AUDIT_CHECKPOINT_KEYS_PREVIOUS: if the key changed, give the former one in ' +
      'AUDIT_CHECKPOINT_KEYS_PREVIOUS; if not, the checkpoint was altered (GET /api/v1/audit-logs/verify)'
    );
  }

  async verify(range: VerifyRange = {}, budgetMs = this.config.http.requestTimeoutMs / 2): Promise<AuditVerification> {
    const deadline = Date.now() + budgetMs;
    await this.chainer.catchUp();
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
      if (!checkpointSignatureHolds(latest, this.keys)) {
        return { valid: false, checked: 0, reason: 'checkpoint', fromSeq: null, toSeq: null, anchor, complete: true };
      }
      // An entry inside the checkpoint's range that its archive does not hold cannot link to anything it stands for.
      const uncovered = await this.checkpoints.firstUncovered(latest);
      if (uncovered) {
        const { id: firstBrokenId, seq: firstBrokenSeq } = uncovered;
        return {
          valid: false,
          checked: 0,
          reason: 'link',
          firstBrokenId,
          firstBrokenSeq,
          fromSeq: null,
          toSeq: null,
          anchor,
          complete: true,
        };
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

  /** The walk, in a thread of its own (one at a time per process); a thread past its budget is stopped. */
  private walk(
    firstSeq: string,
    toSeq: string | undefined,
    anchor: VerificationAnchor,
    deadline: number,
  ): Promise<AuditVerification> {
    const job: VerifyJob = {
      databaseUrl: this.config.database.url,
      firstSeq,
      toSeq: toSeq ?? null,
      prevHash: anchor.hash,
      deadline,
    };
    const walked = this.running.then(() => this.inThread(job));
    this.running = walked.catch(() => undefined);
    return walked.then((walk) => ({ ...walk, anchor }));
  }

  private inThread(job: VerifyJob): Promise<ChainWalk> {
    this.source ??= threadSource(__filename, 'audit-verify-thread', [
      'audit-verify-thread',
      'audit-walk',
      'audit-chain',
    ]);
    const worker = new Worker(this.source.filename, {
      eval: this.source.eval,
      workerData: { ...this.source.workerData, job },
      name: 'audit-verify',
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB, maxYoungGenerationSizeMb: THREAD_YOUNG_MB },
    });
    return new Promise<ChainWalk>((resolve, reject) => {
      const timer = setTimeout(() => void worker.terminate(), Math.max(0, job.deadline - Date.now()) + STOP_GRACE_MS);
      worker.once('message', (reply: VerifyReply) => {
        if (reply.ok) resolve(reply.walk);
        // The driver's code (a connection refused, a server shutting down) tells the error filter it is a 503.
        else reject(Object.assign(new Error(reply.message), { code: reply.code }));
      });
      worker.once('error', (err) => {
        this.logger.warn(`audit verification thread failed: ${err.message}`);
        reject(notFinished());
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        reject(notFinished());
      });
    });
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
}
