import { entryHash, GENESIS_HASH } from './audit-chain';
import { type ChainBatchReader, type ChainRow, VERIFY_BATCH, walkChain } from './audit-walk';

/** A valid chain of `n` entries from the genesis. */
function chain(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 1; i <= n; i += 1) {
    const fields = {
      id: `id-${i}`,
      seq: String(i),
      timestamp: new Date(1_700_000_000_000 + i),
      actorType: 'user',
      actorId: 'u1',
      action: 'task.create',
      resourceType: 'task',
      resourceId: `t${i}`,
      outcome: 'success',
      ip: null,
      userAgent: null,
      requestId: null,
      details: { n: i },
      prevHash,
    };
    const hash = entryHash(fields);
    rows.push({ ...fields, hash });
    prevHash = hash;
  }
  return rows;
}

/** Reads `rows` as the table would, counting the reads. */
function reader(rows: ChainRow[]): ChainBatchReader & { reads: number } {
  const read = (async (seq: string, inclusive: boolean) => {
    read.reads += 1;
    return rows
      .filter((r) => (inclusive ? Number(r.seq) >= Number(seq) : Number(r.seq) > Number(seq)))
      .slice(0, VERIFY_BATCH);
  }) as ChainBatchReader & { reads: number };
  read.reads = 0;
  return read;
}

describe('walkChain', () => {
  const never = Date.now() + 60_000;

  it('checks every entry of a chain longer than a batch, in batches', async () => {
    const rows = chain(VERIFY_BATCH * 2 + 5);
    const read = reader(rows);
    await expect(walkChain(read, '1', GENESIS_HASH, never)).resolves.toEqual({
      valid: true,
      checked: rows.length,
      fromSeq: '1',
      toSeq: String(rows.length),
      complete: true,
    });
    expect(read.reads).toBe(3);
  });

  it('names the first entry whose content or link was changed', async () => {
    const edited = chain(10);
    edited[6] = { ...edited[6], action: 'task.delete' };
    await expect(walkChain(reader(edited), '1', GENESIS_HASH, never)).resolves.toMatchObject({
      valid: false,
      reason: 'hash',
      firstBrokenSeq: '7',
      firstBrokenId: 'id-7',
      checked: 7,
    });
    const gap = chain(10).filter((r) => r.seq !== '4');
    await expect(walkChain(reader(gap), '1', GENESIS_HASH, never)).resolves.toMatchObject({
      valid: false,
      reason: 'link',
      firstBrokenSeq: '5',
    });
  });

  it('checks a range against the hash it links to', async () => {
    const rows = chain(10);
    await expect(walkChain(reader(rows), '5', rows[3].hash, never)).resolves.toMatchObject({
      valid: true,
      checked: 6,
      fromSeq: '5',
    });
    await expect(walkChain(reader(rows), '5', GENESIS_HASH, never)).resolves.toMatchObject({
      valid: false,
      reason: 'link',
    });
  });

  it('stops between batches once its deadline passed, and says where to go on', async () => {
    const rows = chain(VERIFY_BATCH * 3);
    const walk = await walkChain(reader(rows), '1', GENESIS_HASH, Date.now() - 1);
    expect(walk).toEqual({
      valid: true,
      checked: VERIFY_BATCH,
      fromSeq: '1',
      toSeq: String(VERIFY_BATCH),
      complete: false,
      nextFromSeq: String(VERIFY_BATCH + 1),
    });
  });
});
