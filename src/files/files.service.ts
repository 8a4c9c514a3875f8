import type { ReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Transform } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { AuditRequestContext } from '../audit/audit-context';
import { isAdmin, type Principal } from '../auth/principal';
import { NotFoundError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import { charsetOf, isUtf8 } from '../common/http/charset';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { FileStorage } from './file-storage';
import {
  FileEncodingUnsupportedError,
  FileQuotaExceededError,
  FileTooLargeError,
  FileTypeUnsupportedError,
} from './files.errors';
import { FileRepository, type StoredFile } from './persistence/file.repository';
import { RecordUploadTransform, type UploadFormat } from './record-upload.transform';
import { UploadsInFlight } from './uploads-in-flight';

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json-lines'];

/**
 * The upload format a Content-Type names, or undefined for one that is not accepted: records are read as
 * UTF-8, so a charset other than that is refused rather than stored as text it is not.
 */
export function uploadFormatOf(contentType: string | undefined): UploadFormat | undefined {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const charset = charsetOf(contentType ?? '');
  if (charset !== undefined && !isUtf8(charset)) return undefined;
  if (NDJSON_TYPES.includes(media)) return 'ndjson';
  if (media === 'application/json') return 'json-array';
  return undefined;
}

export interface Upload {
  body: Readable;
  contentType?: string;
  /** The Content-Encoding the client announced, if any: only `identity` is taken. */
  contentEncoding?: string;
  /** The Content-Length the client announced, if any. */
  length?: number;
  name?: string;
}

/**
 * Files as their users keep them: uploaded as a stream (checked record by record, stored as NDJSON, never
 * held whole), read back as a stream, deleted. Users see their own files; admins everyone's.
 */
@Injectable()
export class FilesService {
  private readonly maxBytes: number;
  private readonly quotaBytes: number;
  private readonly inFlight = new UploadsInFlight();

  constructor(
    private readonly store: FileRepository,
    private readonly storage: FileStorage,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxBytes = config.files.maxBytes;
    this.quotaBytes = config.files.quotaBytes;
  }

  async upload(principal: Principal, upload: Upload, audit?: AuditRequestContext): Promise<StoredFile> {
    const format = uploadFormatOf(upload.contentType);
    if (!format) throw new FileTypeUnsupportedError();
    // The body is stored as it is read: a compressed one would be refused record by record, or worse.
    if (upload.contentEncoding !== undefined && upload.contentEncoding.trim().toLowerCase() !== 'identity')
      throw new FileEncodingUnsupportedError(upload.contentEncoding);
    if (upload.length !== undefined && upload.length > this.maxBytes) throw new FileTooLargeError(this.maxBytes);
    // A user whose files fill the quota is told before the body is read, and one whose uploads in flight here
    // would pass it as the bytes come; the exact check is made on registering.
    let counted: { stage: Transform; release: () => void } | undefined;
    if (this.quotaBytes > 0) {
      const used = await this.store.bytesOf(principal.userId);
      const inFlight = this.inFlight.of(principal.userId);
      if (used + inFlight + (upload.length ?? 1) > this.quotaBytes)
        throw new FileQuotaExceededError(this.quotaBytes, used);
      counted = this.inFlight.counted(
        principal.userId,
        used,
        this.quotaBytes,
        () => new FileQuotaExceededError(this.quotaBytes, used),
      );
    }
    try {
      return await this.storeBody(principal, upload, format, counted ? [counted.stage] : [], audit);
    } finally {
      counted?.release();
    }
  }

  /**
   * Writes the body through `stages` (what counts it as it comes) and the reading of its records, then registers
   * the file (the exact quota check) under a new id.
   */
  private async storeBody(
    principal: Principal,
    upload: Upload,
    format: UploadFormat,
    stages: Transform[],
    audit: AuditRequestContext | undefined,
  ): Promise<StoredFile> {
    const records = new RecordUploadTransform(format, this.maxBytes);
    const written = await this.storage.write(upload.body, ...stages, records);
    return this.storage.publish(written.temp, (id) =>
      this.store.register(
        {
          id,
          name: upload.name ?? `upload-${id}.ndjson`,
          uploadedAs: format === 'ndjson' ? 'application/x-ndjson' : 'application/json',
          sizeBytes: written.size,
          records: records.records,
          sha256: written.sha256,
          taskId: null,
          createdBy: principal.userId,
        },
        { sha256: written.sha256 },
        audit,
        this.quotaBytes,
      ),
    );
  }

  async get(principal: Principal, id: string): Promise<StoredFile> {
    const file = await this.store.findById(id, isAdmin(principal) ? undefined : principal.userId);
    if (!file) throw new NotFoundError('File');
    return file;
  }

  async list(principal: Principal, skip: number, limit: number): Promise<Page<StoredFile>> {
    const { items, total } = await this.store.list(isAdmin(principal) ? undefined : principal.userId, skip, limit);
    return new Page(items, total, skip, limit);
  }

  /**
   * The file and a stream of its content, opened before anything is answered: a row whose bytes are gone (removed
   * from FILES_DIR, or deleted in between) is a missing file (404), as it reads everywhere else.
   */
  async content(principal: Principal, id: string): Promise<{ file: StoredFile; stream: ReadStream }> {
    const file = await this.get(principal, id);
    const stream = this.storage.open(file.id);
    try {
      await once(stream, 'open');
    } catch (err) {
      stream.destroy();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('File');
      throw err;
    }
    return { file, stream };
  }

  /** Deletes the row (with its audit entry), then the bytes: a reader never finds a row without its file. */
  async delete(principal: Principal, id: string, audit?: AuditRequestContext): Promise<void> {
    const deleted = await this.store.delete(
      id,
      isAdmin(principal) ? undefined : principal.userId,
      { action: 'file.delete', outcome: 'success', resourceType: 'file', resourceId: id },
      audit,
    );
    if (!deleted) throw new NotFoundError('File');
    await this.storage.remove(this.storage.pathOf(id));
  }
}
