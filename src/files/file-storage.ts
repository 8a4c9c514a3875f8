import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Transform } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { DigestTransform } from '../common/streams/digest-transform';
import { APP_CONFIG } from '../config/config.module';
import { FileStorageUnavailableError } from './files.errors';

/** What the storage's own failures mean, by Node's error code. */
const STORAGE_FAILURES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'an input/output error',
  ENOENT: 'the directory is gone',
};

/**
 * The bytes of files, in FILES_DIR: `<id>.ndjson` for stored files, `tmp/` for uploads under way (moved
 * into place whole, so a reader never sees half a file), `work/` for what a task writes as it goes (kept
 * across its attempts, so a retry on any process that sees the directory resumes it).
 */
@Injectable()
export class FileStorage {
  readonly dir: string;
  private ready?: Promise<void>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = config.files.dir;
  }

  /**
   * Creates the directories on first write, not at boot: a process that never writes a file (or runs where
   * FILES_DIR is not mounted) starts all the same, and a write there is refused with 503, not a crash.
   */
  async ensure(): Promise<void> {
    this.ready ??= Promise.all([
      mkdir(join(this.dir, 'tmp'), { recursive: true }),
      mkdir(join(this.dir, 'work'), { recursive: true }),
    ]).then(
      () => undefined,
      (err: NodeJS.ErrnoException) => {
        this.ready = undefined;
        throw new FileStorageUnavailableError(err.code ?? 'error');
      },
    );
    return this.ready;
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.ndjson`);
  }

  tempPath(): string {
    return join(this.dir, 'tmp', randomUUID());
  }

  workPath(key: string): string {
    return join(this.dir, 'work', `${key}.ndjson`);
  }

  /** Writes `source` through `stages` to a new temporary file; its size and SHA-256. Removed on failure. */
  async write(source: Readable, ...stages: Transform[]): Promise<{ temp: string; size: number; sha256: string }> {
    await this.ensure();
    const temp = this.tempPath();
    const digest = new DigestTransform();
    const out = createWriteStream(temp);
    try {
      await pipeline([source, ...stages, digest, out]);
    } catch (err) {
      // A source that failed at once (a client gone before its body was read) fails the pipeline before the file
      // is even opened: it is removed once the stream has closed, or its opening would make it again after.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(temp, { force: true });
      throw this.storageError(err);
    }
    return { temp, size: digest.size, sha256: digest.sha256 };
  }

  /**
   * A failure of the storage itself (full, read-only, gone) as a 503 naming FILES_DIR and the cause, not a 500;
   * anything else (the client's connection, what the stages refused) as it is. A directory gone is made again
   * by the next write.
   */
  private storageError(err: unknown): unknown {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (!code || !(code in STORAGE_FAILURES)) return err;
    if (code === 'ENOENT') this.ready = undefined;
    return new FileStorageUnavailableError(`${code}, ${STORAGE_FAILURES[code]}`);
  }

  /**
   * Moves a finished temporary file into place under a new id and has `register` record it; when either
   * fails, its bytes (wherever they are) are removed: no file stays without its row.
   */
  async publish<T>(temp: string, register: (id: string) => Promise<T>): Promise<T> {
    const id = randomUUID();
    try {
      await rename(temp, this.pathOf(id));
      return await register(id);
    } catch (err) {
      await this.remove(temp);
      await this.remove(this.pathOf(id));
      throw this.storageError(err);
    }
  }

  open(id: string): ReadStream {
    return createReadStream(this.pathOf(id));
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /** The size of the file at `path`, or undefined when there is none. */
  async sizeOf(path: string): Promise<number | undefined> {
    try {
      return (await stat(path)).size;
    } catch {
      return undefined;
    }
  }

  async truncate(path: string, bytes: number): Promise<void> {
    await truncate(path, bytes);
  }

  /**
   * Up to `limit` entries of `tmp/` or `work/` that nothing wrote for `idleMs` (by their modification time: a
   * writer at work keeps it fresh), as their names (an upload's random id, a work file's key) and paths.
   */
  async idle(area: 'tmp' | 'work', idleMs: number, limit: number): Promise<{ key: string; path: string }[]> {
    const dir = join(this.dir, area);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const before = Date.now() - idleMs;
    const found: { key: string; path: string }[] = [];
    for (const name of names) {
      if (found.length >= limit) break;
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && info.mtimeMs < before) found.push({ key: name.replace(/\.ndjson$/, ''), path });
    }
    return found;
  }
}
