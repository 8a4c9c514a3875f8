import { randomBytes } from 'node:crypto';
import {
  archiveFirstSeq,
  archiveName,
  checkpointKey,
  checkpointSignatureHolds,
  checkpointVerifyingKeys,
  type CheckpointFields,
  signCheckpoint,
} from './audit-checkpoint';

const checkpoint: CheckpointFields = {
  firstSeq: '1',
  lastSeq: '100000',
  prevHash: '0'.repeat(64),
  lastHash: 'a'.repeat(64),
  entries: 100_000,
  archive: archiveName('1', '100000'),
  archiveSha256: 'b'.repeat(64),
  archiveBytes: '123456',
  cutoff: new Date('2026-01-01T00:00:00.000Z'),
  createdAt: new Date('2026-02-01T00:00:00.000Z'),
};

describe('audit checkpoint signatures', () => {
  const key = randomBytes(32);

  it('holds for the checkpoint it was made for, under its key', () => {
    const signature = signCheckpoint(checkpoint, key);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(checkpointSignatureHolds({ ...checkpoint, signature }, [key])).toBe(true);
  });

  it('fails when any field changes, under another key or none, or for a malformed signature', () => {
    const signature = signCheckpoint(checkpoint, key);
    const changes: Partial<CheckpointFields>[] = [
      { firstSeq: '2' },
      { lastSeq: '100001' },
      { prevHash: '1'.repeat(64) },
      { lastHash: 'c'.repeat(64) },
      { entries: 99_999 },
      { archive: 'other.ndjson.gz' },
      { archiveSha256: 'd'.repeat(64) },
      { archiveBytes: '1' },
      { cutoff: new Date('2026-01-02T00:00:00.000Z') },
      { createdAt: new Date('2026-02-02T00:00:00.000Z') },
    ];
    for (const change of changes) {
      expect(checkpointSignatureHolds({ ...checkpoint, ...change, signature }, [key])).toBe(false);
    }
    expect(checkpointSignatureHolds({ ...checkpoint, signature }, [randomBytes(32)])).toBe(false);
    expect(checkpointSignatureHolds({ ...checkpoint, signature }, [])).toBe(false);
    expect(checkpointSignatureHolds({ ...checkpoint, signature: 'not hex' }, [key])).toBe(false);
    expect(checkpointSignatureHolds({ ...checkpoint, signature: signature.toUpperCase() }, [key])).toBe(false);
  });

  it('verifies under the keys the checkpoint key replaced, which never sign', () => {
    const before = randomBytes(32);
    const now = randomBytes(32);
    const signature = signCheckpoint(checkpoint, before);
    const keys = checkpointVerifyingKeys({ audit: { checkpointKey: now, previousCheckpointKeys: [before] } });
    expect(keys).toEqual([now, before]);
    expect(checkpointSignatureHolds({ ...checkpoint, signature }, keys)).toBe(true);
    expect(checkpointSignatureHolds({ ...checkpoint, signature }, [now])).toBe(false);
    expect(checkpointKey({ audit: { checkpointKey: now } })).toBe(now);
  });

  it('takes the explicit key, else one derived from the secrets key (never the secrets key itself), else none', () => {
    const explicit = randomBytes(32);
    const secrets = randomBytes(32);
    expect(checkpointKey({ audit: { checkpointKey: explicit }, secretsKey: secrets })).toBe(explicit);
    const derived = checkpointKey({ audit: {}, secretsKey: secrets })!;
    expect(derived).toHaveLength(32);
    expect(derived.equals(secrets)).toBe(false);
    expect(checkpointKey({ audit: {}, secretsKey: secrets })!.equals(derived)).toBe(true);
    expect(checkpointKey({ audit: {} })).toBeUndefined();
  });
});

describe('archive file names', () => {
  it('sort in chain order and give back their first position', () => {
    const names = [archiveName('100001', '200000'), archiveName('1', '100000'), archiveName('9', '10')];
    expect([...names].sort()).toEqual([names[1], names[2], names[0]]);
    expect(archiveFirstSeq(names[0])).toBe(100001n);
    expect(archiveFirstSeq(`${names[0]}.tmp`)).toBe(100001n);
    expect(archiveFirstSeq('notes.txt')).toBeUndefined();
    expect(archiveFirstSeq('audit-1-2.ndjson.gz')).toBeUndefined();
  });
});
