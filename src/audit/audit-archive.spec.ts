import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArchivedEntry, checkArchive, writeArchive, type WrittenArchive } from './audit-archive';
import { entryHash, GENESIS_HASH } from './audit-chain';

/** `n` chained entries from the genesis. */
function chain(n: number): ArchivedEntry[] {
  const entries: ArchivedEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 1; i <= n; i += 1) {
    const fields = {
      id: randomUUID(),
      seq: String(i),
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      actorType: 'user',
      actorId: null,
      action: 'task.create',
      resourceType: 'task',
      resourceId: null,
      outcome: 'success',
      ip: null,
      userAgent: null,
      requestId: null,
      details: { i },
      prevHash,
    };
    const hash = entryHash(fields);
    entries.push({ ...fields, hash });
    prevHash = hash;
  }
  return entries;
}

async function* each<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe('checkArchive', () => {
  let dir: string;
  let written: WrittenArchive;
  const entries = chain(5);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-archive-'));
    written = await writeArchive(dir, 'a.ndjson.gz', each(entries), GENESIS_HASH);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const expected = () => ({
    sha256: written.sha256,
    bytes: String(written.bytes),
    prevHash: GENESIS_HASH,
    lastHash: written.lastHash,
    entries: written.entries,
  });

  it('holds for the archive as written', async () => {
    await expect(checkArchive(join(dir, 'a.ndjson.gz'), expected())).resolves.toEqual({ valid: true, checked: 5 });
  });

  it('says `count` when the checkpoint records another number of entries', async () => {
    await expect(checkArchive(join(dir, 'a.ndjson.gz'), { ...expected(), entries: 6 })).resolves.toEqual({
      valid: false,
      checked: 5,
      reason: 'count',
    });
  });

  it('says `end`, not `count`, when every entry is there but the last is not the recorded one', async () => {
    await expect(checkArchive(join(dir, 'a.ndjson.gz'), { ...expected(), lastHash: entries[3].hash })).resolves.toEqual(
      { valid: false, checked: 5, reason: 'end' },
    );
  });

  it('says `missing` for no file and `link` for an archive that does not follow the recorded hash', async () => {
    await expect(checkArchive(join(dir, 'none.ndjson.gz'), expected())).resolves.toEqual({
      valid: false,
      checked: 0,
      reason: 'missing',
    });
    await expect(checkArchive(join(dir, 'a.ndjson.gz'), { ...expected(), prevHash: entries[0].hash })).resolves.toEqual(
      { valid: false, checked: 1, reason: 'link', firstBrokenSeq: '1' },
    );
  });
});
