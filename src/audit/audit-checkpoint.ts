import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** What a checkpoint's signature covers: every field but its id and the signature itself. */
export interface CheckpointFields {
  firstSeq: string;
  lastSeq: string;
  prevHash: string;
  lastHash: string;
  entries: number;
  archive: string;
  archiveSha256: string;
  archiveBytes: string;
  cutoff: Date;
  createdAt: Date;
}

/** The fields in a fixed order, one per line: no two different checkpoints give the same text. */
function canonical(c: CheckpointFields): string {
  return [
    'ymera-audit-checkpoint-v1',
    String(c.firstSeq),
    String(c.lastSeq),
    c.prevHash,
    c.lastHash,
    String(c.entries),
    c.archive,
    c.archiveSha256,
    String(c.archiveBytes),
    c.cutoff.toISOString(),
    c.createdAt.toISOString(),
  ].join('\n');
}

/** HMAC-SHA256 of the checkpoint under `key`, hex. */
export function signCheckpoint(c: CheckpointFields, key: Buffer): string {
  return createHmac('sha256', key).update(canonical(c)).digest('hex');
}

/** Whether a stored checkpoint's signature is its own under `key` (compared in constant time); never without a key. */
export function checkpointSignatureHolds(c: CheckpointFields & { signature: string }, keys: Buffer[]): boolean {
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(c.signature) ? c.signature : '', 'hex');
  return keys.some((key) => {
    const expected = Buffer.from(signCheckpoint(c, key), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * The keys a checkpoint's signature may be under: the checkpoint key, then AUDIT_CHECKPOINT_KEYS_PREVIOUS (the keys
 * it replaced, which signed the checkpoints written before). Only the first signs.
 */
export function checkpointVerifyingKeys(config: {
  audit: { checkpointKey?: Buffer; previousCheckpointKeys: Buffer[] };
  secretsKey?: Buffer;
}): Buffer[] {
  const current = checkpointKey(config);
  return [...(current ? [current] : []), ...config.audit.previousCheckpointKeys];
}

/**
 * The checkpoint key: AUDIT_CHECKPOINT_KEY when set, else one derived from SECRETS_KEY (HKDF, its own label),
 * so the secrets key itself never signs anything; none without either.
 */
export function checkpointKey(config: { audit: { checkpointKey?: Buffer }; secretsKey?: Buffer }): Buffer | undefined {
  if (config.audit.checkpointKey) return config.audit.checkpointKey;
  if (!config.secretsKey) return undefined;
  return Buffer.from(hkdfSync('sha256', config.secretsKey, Buffer.alloc(0), 'ymera audit checkpoint', 32));
}

/** The archive file of entries from `firstSeq` on: zero-padded so names sort in chain order. */
export function archiveName(firstSeq: string, lastSeq: string): string {
  return `audit-${firstSeq.padStart(20, '0')}-${lastSeq.padStart(20, '0')}.ndjson.gz`;
}

/** The first seq an archive file name covers, or undefined for a name that is not an archive's. */
export function archiveFirstSeq(name: string): bigint | undefined {
  const match = /^audit-(\d{20})-(\d{20})\.ndjson\.gz(\.tmp)?$/.exec(name);
  return match ? BigInt(match[1]) : undefined;
}
