import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { DigestTransform } from '../common/streams/digest-transform';
import { type ChainedFields, chainBreak } from './audit-chain';
import { archiveFirstSeq } from './audit-checkpoint';

/** An entry as archived: its chained fields and its hash, one JSON object per line. */
export type ArchivedEntry = ChainedFields & { hash: string };

export class AuditChainBrokenError extends Error {
  constructor(readonly seq: string) {
    super(`the audit chain does not hold at entry ${seq}: it is not archived`);
  }
}

export interface WrittenArchive {
  entries: number;
  lastSeq: string;
  lastHash: string;
  sha256: string;
  bytes: number;
}

/** Checks each entry's link and hash on its way to the archive: a broken chain is never archived (nor deleted). */
async function* lines(entries: AsyncIterable<ArchivedEntry>, prevHash: string, out: WrittenArchive) {
  let prev = prevHash;
  for await (const entry of entries) {
    if (chainBreak(entry, prev)) throw new AuditChainBrokenError(entry.seq);
    prev = entry.hash;
    out.entries += 1;
    out.lastSeq = entry.seq;
    out.lastHash = entry.hash;
    yield `${JSON.stringify({ ...entry, timestamp: entry.timestamp.toISOString() })}\n`;
  }
}

/**
 * Writes entries to `dir/name` as gzip NDJSON, crash-safe: into `name.tmp`, flushed to disk (fsync), then
 * renamed and the directory flushed, so the file exists under its name only once it is whole and durable.
 */
export async function writeArchive(
  dir: string,
  name: string,
  entries: AsyncIterable<ArchivedEntry>,
  prevHash: string,
): Promise<WrittenArchive> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${name}.tmp`);
  const out: WrittenArchive = { entries: 0, lastSeq: '', lastHash: prevHash, sha256: '', bytes: 0 };
  const measure = new DigestTransform();
  try {
    await pipeline(Readable.from(lines(entries, prevHash, out)), createGzip(), measure, createWriteStream(tmp));
    await fsync(tmp);
    await rename(tmp, join(dir, name));
    await fsync(dir);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  out.sha256 = measure.sha256;
  out.bytes = measure.size;
  return out;
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The files in `dir` that no checkpoint names, if `lastSeq` is the latest checkpoint's: temporary files, and
 * archives of entries after it.
 */
export async function archivesAfter(dir: string, lastSeq: bigint): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => {
    const first = archiveFirstSeq(name);
    return first !== undefined && (name.endsWith('.tmp') || first > lastSeq);
  });
}

/** An entry of an archive, as far as telling whose chain it is of goes. */
export interface ArchivedLink {
  seq: string;
  hash: string;
}

/**
 * An archive's first and last entries, read streamed; `'empty'` when it is whole and holds none, undefined when
 * it cannot be read as an archive.
 */
export async function archiveEnds(
  path: string,
): Promise<{ first: ArchivedLink; last: ArchivedLink } | 'empty' | undefined> {
  const file = createReadStream(path);
  const reader = createInterface({ input: file.pipe(createGunzip()), crlfDelay: Infinity });
  let first: ArchivedLink | undefined;
  let last: ArchivedLink | undefined;
  try {
    for await (const line of reader) {
      if (!line) continue;
      const { seq, hash } = JSON.parse(line) as Partial<ArchivedLink>;
      if (typeof seq !== 'string' || typeof hash !== 'string') return undefined;
      last = { seq, hash };
      first ??= last;
    }
  } catch {
    return undefined;
  } finally {
    file.destroy();
  }
  return first && last ? { first, last } : 'empty';
}

export interface ArchiveCheck {
  valid: boolean;
  checked: number;
  reason?: 'missing' | 'sha256' | 'hash' | 'link' | 'count' | 'end';
  firstBrokenSeq?: string;
}

/**
 * Reads an archive back, streamed: its SHA-256 and size must be those recorded, every entry's hash and link
 * must hold from `prevHash`, and it must hold `entries` entries (else `count`) and end at `lastHash` (else `end`).
 */
export async function checkArchive(
  path: string,
  expected: { sha256: string; bytes: string; prevHash: string; lastHash: string; entries: number },
): Promise<ArchiveCheck> {
  const size = await stat(path).catch(() => undefined);
  if (!size) return { valid: false, checked: 0, reason: 'missing' };
  const digest = createHash('sha256');
  const file = createReadStream(path);
  file.on('data', (chunk) => digest.update(chunk));
  const reader = createInterface({ input: file.pipe(createGunzip()), crlfDelay: Infinity });
  let prev = expected.prevHash;
  let checked = 0;
  try {
    for await (const line of reader) {
      if (!line) continue;
      const raw = JSON.parse(line) as ArchivedEntry & { timestamp: string };
      const entry: ArchivedEntry = { ...raw, timestamp: new Date(raw.timestamp) };
      checked += 1;
      const reason = chainBreak(entry, prev);
      if (reason) return { valid: false, checked, reason, firstBrokenSeq: entry.seq };
      prev = entry.hash;
    }
  } catch {
    return { valid: false, checked, reason: 'sha256' };
  } finally {
    // An early return leaves the file open otherwise.
    file.destroy();
  }
  if (digest.digest('hex') !== expected.sha256 || String(size.size) !== String(expected.bytes)) {
    return { valid: false, checked, reason: 'sha256' };
  }
  if (checked !== expected.entries) return { valid: false, checked, reason: 'count' };
  // Every entry there and linked, but the last is not the one the checkpoint names: the checkpoint is not this chain's.
  if (prev !== expected.lastHash) return { valid: false, checked, reason: 'end' };
  return { valid: true, checked };
}
