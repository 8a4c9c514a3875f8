import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { FileStorage } from './file-storage';
import { FileRepository } from './persistence/file.repository';
import { type FileRecord, type RecordChunk, readRecordChunks } from './record-reader';

export type { FileRecord, RecordChunk } from './record-reader';

/** What a task needs to know of a file it reads. */
export interface RecordFileInfo {
  id: string;
  records: number;
  sizeBytes: number;
  createdBy: string;
}

function lines(records: FileRecord[]): string {
  let text = '';
  for (const record of records) text += JSON.stringify(record) + '\n';
  return text;
}

/** An NDJSON file a task appends to as it goes, kept across its attempts (see {@link RecordFiles.work}). */
export class WorkFile {
  private handle?: FileHandle;
  bytes = 0;

  constructor(
    private readonly storage: FileStorage,
    readonly path: string,
  ) {}

  /** Continues the file from `bytes` (dropping what a stopped attempt wrote after it); false when it cannot. */
  async resumeAt(bytes: number): Promise<boolean> {
    await this.storage.ensure();
    const size = await this.storage.sizeOf(this.path);
    if (size === undefined || size < bytes) return false;
    await this.storage.truncate(this.path, bytes);
    this.handle = await open(this.path, 'a');
    this.bytes = bytes;
    return true;
  }

  /** Starts the file afresh. */
  async reset(): Promise<void> {
    await this.storage.ensure();
    this.handle = await open(this.path, 'w');
    this.bytes = 0;
  }

  /** Appends records as lines; the file's size after them. */
  async append(records: FileRecord[]): Promise<number> {
    if (!this.handle) throw new Error('WorkFile used before resumeAt() or reset()');
    const text = lines(records);
    if (text) {
      await this.handle.appendFile(text);
      this.bytes += Buffer.byteLength(text);
    }
    return this.bytes;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  chunks(size: number): AsyncGenerator<RecordChunk> {
    return readRecordChunks(this.path, 0, size);
  }

  async remove(): Promise<void> {
    await this.close();
    await this.storage.remove(this.path);
  }
}

/** A new file of records a task writes, registered as a file (with its audit entry) once it is finished. */
export class OutputFile {
  private readonly hash = createHash('sha256');
  private readonly temp: string;
  private handle?: FileHandle;
  records = 0;
  bytes = 0;

  constructor(
    private readonly storage: FileStorage,
    private readonly repository: FileRepository,
  ) {
    this.temp = storage.tempPath();
  }

  async append(records: FileRecord[]): Promise<void> {
    const handle = await this.opened();
    const text = lines(records);
    if (!text) return;
    this.hash.update(text);
    await handle.appendFile(text);
    this.bytes += Buffer.byteLength(text);
    this.records += records.length;
  }

  /** Moves it into place and records it as `owner`'s file, made by task `taskId`; its id. */
  async finish(owner: string, taskId: string, name: string): Promise<string> {
    await (await this.opened()).close();
    const file = await this.storage.publish(this.temp, (id) =>
      this.repository.register(
        {
          id,
          name,
          uploadedAs: 'application/x-ndjson',
          sizeBytes: this.bytes,
          records: this.records,
          sha256: this.hash.digest('hex'),
          taskId,
          createdBy: owner,
        },
        { taskId, ownerId: owner },
      ),
    );
    return file.id;
  }

  async abort(): Promise<void> {
    await this.handle?.close();
    await this.storage.remove(this.temp);
  }

  private async opened(): Promise<FileHandle> {
    if (!this.handle) {
      await this.storage.ensure();
      this.handle = await open(this.temp, 'w');
    }
    return this.handle;
  }
}

/** Files as tasks use them: read record by record, written as they go. */
@Injectable()
export class RecordFiles {
  constructor(
    private readonly repository: FileRepository,
    private readonly storage: FileStorage,
  ) {}

  async find(id: string): Promise<RecordFileInfo | undefined> {
    const file = await this.repository.findById(id);
    return file && { id: file.id, records: file.records, sizeBytes: file.sizeBytes, createdBy: file.createdBy };
  }

  /** The file's records from byte `from` (0, or an `end` a chunk gave), `size` at a time. */
  chunks(id: string, from: number, size: number): AsyncGenerator<RecordChunk> {
    return readRecordChunks(this.storage.pathOf(id), from, size);
  }

  /** The work file named `key` (a task id): the same file for every attempt of it, on any process. */
  work(key: string): WorkFile {
    return new WorkFile(this.storage, this.storage.workPath(key));
  }

  output(): OutputFile {
    return new OutputFile(this.storage, this.repository);
  }
}
