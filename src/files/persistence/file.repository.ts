import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { OwnedRecords } from '../../audit/owned-records';
import { FileEntity } from '../entities/file.entity';
import { FileQuotaExceededError } from '../files.errors';

export type StoredFile = FileEntity;
export type NewFile = Pick<
  StoredFile,
  'id' | 'name' | 'format' | 'uploadedAs' | 'sizeBytes' | 'records' | 'sha256' | 'taskId' | 'createdBy'
>;

/** Every statement on `files`. Changes commit with their audit entry. */
@Injectable()
export class FileRepository {
  private readonly records: OwnedRecords<StoredFile>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    audit: AuditService,
  ) {
    this.records = new OwnedRecords(dataSource, audit, FileEntity);
  }

  /**
   * Records a stored file (always NDJSON) with its `file.create` audit entry: its name, size and records, then
   * `details` (what the caller knows of where it came from). Given the request's context the entry names its
   * caller, else `system`.
   */
  register(
    fields: Omit<NewFile, 'format'>,
    details: Record<string, unknown>,
    context?: AuditRequestContext,
    quotaBytes = 0,
  ): Promise<StoredFile> {
    // One user's registrations in turn, so that uploads finishing together cannot pass the quota between them.
    const withinQuota = async (em: EntityManager) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('files:' || $1, 0))`, [fields.createdBy]);
      const used = await this.bytesOf(fields.createdBy, em);
      if (used + fields.sizeBytes > quotaBytes) throw new FileQuotaExceededError(quotaBytes, used);
    };
    return this.records.create(
      { ...fields, format: 'ndjson' },
      (file) => ({
        action: 'file.create',
        outcome: 'success',
        resourceType: 'file',
        resourceId: file.id,
        details: { name: file.name, sizeBytes: file.sizeBytes, records: file.records, ...details },
      }),
      context,
      quotaBytes > 0 ? withinQuota : undefined,
    );
  }

  /** How many bytes a user's files take. */
  async bytesOf(createdBy: string, em: EntityManager = this.dataSource.manager): Promise<number> {
    const [{ bytes }] = (await em.query(
      `SELECT coalesce(sum(size_bytes), 0)::bigint AS bytes FROM files WHERE created_by = $1`,
      [createdBy],
    )) as { bytes: string }[];
    return Number(bytes);
  }

  /** The file; with `createdBy`, only that user's. */
  findById(id: string, createdBy?: string): Promise<StoredFile | undefined> {
    return this.records.findById(id, createdBy);
  }

  /** Newest first; with `createdBy`, only that user's. */
  list(createdBy: string | undefined, skip: number, limit: number) {
    return this.records.list(createdBy, skip, limit);
  }

  /** Deletes a file's row with its audit entry; the row deleted, or undefined when there is none. */
  delete(id: string, createdBy: string | undefined, event: AuditEvent, context?: AuditRequestContext) {
    return this.records.delete(id, createdBy, event, context);
  }
}
