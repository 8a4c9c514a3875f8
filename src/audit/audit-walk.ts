import { type ChainedFields, chainBreak } from './audit-chain';

/** Rows read per query: the next batch is read while this one is hashed. */
export const VERIFY_BATCH = 2000;

export type ChainRow = ChainedFields & { hash: string };

/** Reads the entries from `seq` (or after it, not `inclusive`) in chain order, at most {@link VERIFY_BATCH}. */
export type ChainBatchReader = (seq: string, inclusive: boolean) => Promise<ChainRow[]>;

/** What a walk over the chain found: as the verification answers it, but for its anchor. */
export interface ChainWalk {
  valid: boolean;
  checked: number;
  firstBrokenId?: string;
  firstBrokenSeq?: string;
  reason?: 'hash' | 'link';
  fromSeq: string | null;
  toSeq: string | null;
  /** False when the deadline came first: go on from `nextFromSeq`. */
  complete: boolean;
  nextFromSeq?: string;
}

/**
 * Recomputes the hash chain from `firstSeq`, linked to `prevHash`, in keyset batches (one read ahead), until the
 * reader has no more, an entry is broken, or `deadline` (epoch ms) passes between batches.
 */
export async function walkChain(
  read: ChainBatchReader,
  firstSeq: string,
  prevHash: string,
  deadline: number,
): Promise<ChainWalk> {
  let checked = 0;
  let first: string | null = null;
  let last: string | null = null;
  let next = read(firstSeq, true);
  for (;;) {
    const rows = await next;
    const more = rows.length === VERIFY_BATCH;
    if (more) next = read(rows[rows.length - 1].seq, false);
    for (const row of rows) {
      checked += 1;
      first ??= row.seq;
      last = row.seq;
      const reason = chainBreak(row, prevHash);
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
          complete: true,
        };
      }
      prevHash = row.hash;
    }
    if (!more) return { valid: true, checked, fromSeq: first, toSeq: last, complete: true };
    if (Date.now() > deadline) {
      await next.catch(() => undefined);
      return {
        valid: true,
        checked,
        fromSeq: first,
        toSeq: last,
        complete: false,
        nextFromSeq: String(BigInt(last!) + 1n),
      };
    }
  }
}
