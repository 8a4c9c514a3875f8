import { Transform } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { BYTE_SIZE, toDecimal, toInt } from './env-parsers';
import { ByteLimit } from './setting-rules';

/**
 * The settings of what the platform keeps on disk and for how long: uploaded files, task retention and the audit
 * archive. Part of {@link EnvSchema}, which extends it (through the background work settings).
 */
export class StorageSettings {
  /** Where uploaded files (`POST /files`) are kept; api and worker processes must see the same directory. */
  @IsString()
  @MinLength(1)
  FILES_DIR = 'data/files';

  @ByteLimit('1gb, 200mb or 1048576', 'a smaller limit refuses every upload (413)')
  FILE_MAX_BYTES = '1gb';

  /** How much one user's files may take together: uploads past it are refused (tasks' outputs count, always kept); 0: none. */
  @Matches(BYTE_SIZE, { message: 'must be a size such as 10gb, 200mb or 1048576' })
  FILE_QUOTA_BYTES = '10gb';

  /** How long one upload may take; other requests keep REQUEST_TIMEOUT_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  FILE_UPLOAD_TIMEOUT_MS = 600_000;

  /** Finished tasks older than this many days (by their finish) are purged with their attempts; 0 keeps them all. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(36_500)
  TASK_RETENTION_DAYS = 0;

  /** Tasks the purge deletes per statement (one short transaction each). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  TASK_RETENTION_BATCH_SIZE = 500;

  /** How often a purge pass starts, across the workers; a pass ends before the next one is due. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  TASK_RETENTION_INTERVAL_MS = 60_000;

  /** The purge's pause between two batches: what it leaves of Postgres to the rest of the platform. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  TASK_RETENTION_PAUSE_MS = 50;

  /**
   * The purge's pause is also at least this many times its last batch's own time, so it slows down as Postgres
   * gets busy: at 1 it spends at most half its time in statements, whatever the load.
   */
  @Transform(toDecimal)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  TASK_RETENTION_PAUSE_FACTOR = 1;

  /** Audit entries older than this many days are archived, then deleted; 0 keeps them forever. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(36500)
  AUDIT_RETENTION_DAYS = 0;

  /** Where archived audit entries are written (gzip NDJSON files), on a volume every worker shares. */
  @IsString()
  @MinLength(1)
  AUDIT_ARCHIVE_DIR = './audit-archive';

  /** Signs audit checkpoints (HMAC-SHA256); derived from SECRETS_KEY when not set. */
  @IsOptional()
  @Matches(/^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes, as 64 hex characters or base64' })
  AUDIT_CHECKPOINT_KEY?: string;

  /** Checkpoint keys used before AUDIT_CHECKPOINT_KEY, comma-separated: they verify checkpoints, never sign. */
  @IsOptional()
  @Matches(/^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)(,([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=))*$/, {
    message: 'must be keys of 32 bytes, as 64 hex characters or base64, separated by commas',
  })
  AUDIT_CHECKPOINT_KEYS_PREVIOUS?: string;

  /** How often the workers archive and delete the audit entries past retention. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  AUDIT_RETENTION_INTERVAL_MS = 3_600_000;

  /** Entries per archive file (one checkpoint each). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(10_000_000)
  AUDIT_ARCHIVE_FILE_ENTRIES = 100_000;

  /** Archived entries deleted per statement (one short transaction each). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(100_000)
  AUDIT_DELETE_BATCH = 5000;
}
