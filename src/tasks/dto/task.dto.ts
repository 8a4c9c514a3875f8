import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsDefined, IsIn, IsInt, IsObject, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsId } from '../../common/http/ids';
import {
  DATE_OR_DAY,
  FreeFormJson,
  IsBoundedDate,
  IsOptionalNotNull,
  IsTags,
  TAGS_PROPERTY,
  TAG_RULE,
} from '../../common/http/dto-decorators';
import { CreatedRangeQueryDto } from '../../common/http/created-range-query.dto';
import { IsJsonWithin } from '../../common/http/json-within';
import { IsMetadataFilter } from '../../common/http/metadata-filter';
import { ApiJsonProperty } from '../../common/swagger/api-envelope';
import type { TaskEntity } from '../entities/task.entity';
import { MAX_TTL_MS } from '../expiry-rule';
import { type ListedTask, TASK_STATUSES, type TaskError, type TaskStatus } from '../task';

/** A task's metadata as JSON: every list shows it whole, unlike input and output. */
export const MAX_TASK_METADATA_BYTES = 16 * 1024;

export class CreateTaskDto {
  @ApiProperty({ format: 'uuid' })
  @IsId()
  agentId!: string;

  @ApiJsonProperty({ description: "Any JSON value, validated against the agent type's inputSchema" })
  @IsDefined()
  @FreeFormJson()
  input!: unknown;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10, default: 5, description: '1 runs first' })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10, default: 3 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(10)
  maxAttempts?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 3_600_000,
    default: 1000,
    description: 'Base of the exponential backoff (with jitter)',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  backoffMs?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 100,
    maximum: 3_600_000,
    description: "Per attempt; the agent's timeout when absent",
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  timeoutMs?: number;

  @ApiPropertyOptional({ ...DATE_OR_DAY, description: 'Not before this time' })
  @IsOptionalNotNull()
  @IsBoundedDate()
  runAt?: Date;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `At most ${MAX_TASK_METADATA_BYTES / 1024} KiB as JSON: lists show it whole`,
  })
  @IsOptionalNotNull()
  @IsObject()
  @IsJsonWithin(MAX_TASK_METADATA_BYTES)
  @FreeFormJson()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    ...TAGS_PROPERTY,
    description: TAG_RULE,
    example: ['nightly', 'acme'],
  })
  @IsOptionalNotNull()
  @IsTags()
  tags?: string[];

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 200,
    example: 'customer-42',
    description:
      "Tasks of one agent with the same key run at most the agent's `concurrencyPerKey` at once (no limit when the agent has none)",
  })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 200)
  concurrencyKey?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_TTL_MS,
    description: 'Expire the task (status `expired`, never run) if it has not started this many ms after submission',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_TTL_MS)
  ttlMs?: number;

  @ApiPropertyOptional({
    ...DATE_OR_DAY,
    description:
      'Expire the task (status `expired`, never run) if it has not started by then; in the future, not with ttlMs',
  })
  @IsOptionalNotNull()
  @IsBoundedDate()
  expireAt?: Date;
}

/** The most tasks one batch may hold. */
export const MAX_BATCH_TASKS = 1000;

/**
 * A batch of tasks. The body's validation checks only that `tasks` is an array and hands it over as sent:
 * the tasks service checks its length and validates its elements as {@link CreateTaskDto}s a hundred at a
 * time (`TasksService.submitBatch`), where one pass over a thousand would hold up every other request.
 */
export class CreateTaskBatchDto {
  @ApiProperty({ type: [CreateTaskDto], minItems: 1, maxItems: MAX_BATCH_TASKS })
  @IsArray()
  @FreeFormJson()
  tasks!: unknown[];
}

/** What an error code looks like (`TIMEOUT`, `DIVISION_BY_ZERO`, `agent.unavailable`). */
const ERROR_CODE = /^[A-Za-z0-9_.-]+$/;

export class TaskQueryDto extends CreatedRangeQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptionalNotNull()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalNotNull()
  @IsId()
  agentId?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 64,
    pattern: ERROR_CODE.source,
    description: 'Only tasks whose error has this code (failed and cancelled ones), e.g. `DIVISION_BY_ZERO`',
  })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 64)
  @Matches(ERROR_CODE, { message: 'errorCode must be letters, digits, _ . -' })
  errorCode?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Only tasks carrying this tag' })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 64)
  tag?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Only tasks whose metadata has these string values, sent as `metadata[<key>]=<value>` or `metadata.<key>=<value>` (up to 10; keys of letters, digits, `_` and `-`)',
  })
  @IsOptionalNotNull()
  @IsMetadataFilter()
  metadata?: Record<string, string>;
}

export class TaskErrorDto {
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
}

export class TaskDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiJsonProperty() input!: unknown;
  @ApiJsonProperty({ nullable: true, description: "As the agent type's outputSchema says; null until it succeeds" })
  output!: unknown;
  @ApiProperty({ type: TaskErrorDto, nullable: true }) error!: TaskError | null;
  @ApiProperty({ description: 'Attempts made, earlier runs (before a retry) included' }) attempts!: number;
  @ApiProperty({ description: 'Attempts one run may make' }) maxAttempts!: number;
  @ApiProperty({
    minimum: 0,
    description: 'Attempts made before the last retry: the current run has made `attempts − attemptOffset`',
  })
  attemptOffset!: number;
  @ApiProperty() priority!: number;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ nullable: true, type: String }) progressMessage!: string | null;
  @ApiProperty() backoffMs!: number;
  @ApiProperty({ nullable: true, type: Number }) timeoutMs!: number | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) runAt!: Date | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ nullable: true, type: String }) concurrencyKey!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'A task still queued then ends `expired`',
  })
  expireAt!: Date | null;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: "The current run's first attempt's start (a retry clears it)",
  })
  startedAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: "The current run's end" })
  finishedAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) nextAttemptAt!: Date | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description:
      'The workflow run this task is a step of (null for a task of its own): such a task is retried through its run ' +
      '(`POST /workflow-runs/:runId/retry`), never alone',
  })
  runId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The step of `runId` this task runs (null with it)' })
  stepId!: string | null;

  static from(t: Omit<TaskEntity, 'checkpoint'>): TaskDto {
    return {
      id: t.id,
      agentId: t.agentId,
      status: t.status,
      input: t.input,
      output: t.output ?? null,
      error: t.error,
      attempts: t.attempts,
      maxAttempts: t.maxAttempts,
      attemptOffset: t.attemptOffset,
      priority: t.priority,
      progress: t.progress,
      progressMessage: t.progressMessage,
      backoffMs: t.backoffMs,
      timeoutMs: t.timeoutMs,
      runAt: t.runAt,
      metadata: t.metadata,
      tags: t.tags,
      concurrencyKey: t.concurrencyKey,
      expireAt: t.expireAt,
      createdBy: t.createdBy,
      createdAt: t.createdAt,
      startedAt: t.startedAt,
      finishedAt: t.finishedAt,
      nextAttemptAt: t.nextAttemptAt,
      runId: t.runId ?? null,
      stepId: t.stepId ?? null,
    };
  }
}

/** A task in a list: its input and output only up to a bound, each flagged when left out. */
export class TaskListItemDto extends TaskDto {
  @ApiJsonProperty({ nullable: true, description: 'Null when left out of the list (`inputOmitted`)' })
  declare input: unknown;
  @ApiProperty({
    description:
      'The input is over the list bound (64 KiB as JSON; 8 MiB ÷ (2 × limit) when smaller) and left out (`input` is null); `GET /tasks/:id` has it',
  })
  inputOmitted!: boolean;
  @ApiProperty({
    description:
      'The output is over the list bound (64 KiB as JSON; 8 MiB ÷ (2 × limit) when smaller) and left out (`output` is null); `GET /tasks/:id` has it',
  })
  outputOmitted!: boolean;

  static fromListed(t: ListedTask): TaskListItemDto {
    return { ...TaskDto.from(t), inputOmitted: t.inputOmitted, outputOmitted: t.outputOmitted };
  }
}

export class AttemptTakeoverDto {
  @ApiProperty() workerId!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
}

export class TaskAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed', 'cancelled'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: Date | null;
  @ApiProperty({ type: TaskErrorDto, nullable: true }) error!: TaskError | null;
  @ApiProperty() workerId!: string;
  @ApiProperty({
    type: [AttemptTakeoverDto],
    description:
      'The workers the attempt ran on before `workerId` took it over (theirs stopped responding, or stopped and ' +
      'handed it back), oldest first',
  })
  takenOverFrom!: AttemptTakeoverDto[];
}
