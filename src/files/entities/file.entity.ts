import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Every file is kept as NDJSON (one JSON object per line), however it was uploaded. */
export const FILE_FORMATS = ['ndjson'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/**
 * A file of records in FILES_DIR, named by its id: uploaded (`POST /files`) or written by a task (a
 * data-processor's output too big to keep in the task's result). Its content never changes.
 */
@Entity('files')
@Check('files_format_check', `"format" IN ('ndjson')`)
@Check('files_size_check', `"size_bytes" >= 0 AND "records" >= 0`)
@Index('files_creator_created_idx', ['createdBy', 'createdAt'])
export class FileEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'files_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  format!: FileFormat;

  /** The content type it was sent as (`application/json` arrays are stored as NDJSON). */
  @Column({ name: 'uploaded_as', type: 'varchar', length: 64 })
  uploadedAs!: string;

  @Column({ name: 'size_bytes', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sizeBytes!: number;

  @Column({ type: 'integer' })
  records!: number;

  /** SHA-256 (hex) of the stored bytes. */
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  /** The task whose output it is; null for an upload. */
  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
