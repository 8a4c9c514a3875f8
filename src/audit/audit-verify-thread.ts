import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'pg';
import { CHAINED_COLUMNS } from './audit-chain';
import { type ChainRow, type ChainWalk, VERIFY_BATCH, walkChain } from './audit-walk';

/** What a verification thread is given: where to read, and the walk to make. */
export interface VerifyJob {
  databaseUrl: string;
  firstSeq: string;
  toSeq: string | null;
  prevHash: string;
  deadline: number;
}

export type VerifyReply = { ok: true; walk: ChainWalk } | { ok: false; code?: string; message: string };

/**
 * One walk over the audit chain on a connection of its own, in a thread whose heap is bounded: the hashing of a
 * million entries neither holds the API's event loop nor grows its memory.
 */
async function verify(job: VerifyJob): Promise<VerifyReply> {
  const client = new Client({ connectionString: job.databaseUrl, application_name: 'ymera-audit-verify' });
  try {
    await client.connect();
    const read = async (seq: string, inclusive: boolean) =>
      (
        await client.query<ChainRow>(
          `SELECT ${CHAINED_COLUMNS} FROM audit_logs
            WHERE seq ${inclusive ? '>=' : '>'} $1 AND ($2::bigint IS NULL OR seq <= $2::bigint)
            ORDER BY seq LIMIT ${VERIFY_BATCH}`,
          [seq, job.toSeq],
        )
      ).rows;
    return { ok: true, walk: await walkChain(read, job.firstSeq, job.prevHash, job.deadline) };
  } catch (err) {
    const { code, message } = err as { code?: string; message?: string };
    return { ok: false, code, message: message ?? 'verification failed' };
  } finally {
    await client.end().catch(() => undefined);
  }
}

if (parentPort) {
  const port = parentPort;
  void verify((workerData as { job: VerifyJob }).job).then((reply) => port.postMessage(reply));
}
