import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsDisplayText } from '../../common/http/display-text';
import { IsId } from '../../common/http/ids';
import {
  DATE_OR_DAY,
  FreeFormJson,
  IsBoundedDate,
  IsOptionalNotNull,
  IsTags,
  TAGS_PROPERTY,
  TAG_RULE,
  ValidateNestedOne,
} from '../../common/http/dto-decorators';
import { ApiJsonProperty } from '../../common/swagger/api-envelope';
import { SCHEDULE_OVERLAPS, type ScheduleOverlap } from '../entities/schedule.entity';
import type { Schedule } from '../schedule';

/** The shortest and longest fixed period. */
export const MIN_EVERY_MS = 1000;
export const MAX_EVERY_MS = 366 * 24 * 3600 * 1000;

/** What each fire starts: a task of an agent, or a run of a workflow, with this input. */
export class ScheduleTargetDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A task of this agent (or `workflowId`, not both)' })
  @IsOptionalNotNull()
  @IsId()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A run of this workflow (or `agentId`, not both)' })
  @IsOptionalNotNull()
  @IsId()
  workflowId?: string;

  @ApiJsonProperty({ description: "The task's or the run's input; an agent's is checked against its type" })
  @IsDefined()
  @FreeFormJson()
  input!: unknown;
}

/**
 * A cron pattern's text as crontab reads it: fields of printable ASCII split by spaces or tabs, kept one space
 * apart with none around (`" 0  9\t* * *"` is stored as `"0 9 * * *"`); what the fields mean is checked later.
 */
/** Fields of printable ASCII split by spaces or tabs (with any around them, which are dropped). */
const CRON_TEXT = /^[ \t]*[!-~]+(?:[ \t]+[!-~]+)*[ \t]*$/;

function IsCronText(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : value,
    ),
    IsString(),
    Length(1, 120),
    Matches(CRON_TEXT, { message: 'must be fields of printable ASCII separated by spaces or tabs' }),
  );
}

export class CreateScheduleDto {
  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  name!: string;

  @ApiProperty({ type: ScheduleTargetDto })
  @IsDefined()
  @ValidateNestedOne(() => ScheduleTargetDto)
  target!: ScheduleTargetDto;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 120,
    pattern: CRON_TEXT.source,
    description:
      'Cron pattern, 5 fields (minute hour day month weekday) or 6 (seconds first), split by spaces or tabs and stored one space apart, firing at least once every 10 years; or `everyMs`',
    example: '0 9 * * 1-5',
  })
  @IsOptionalNotNull()
  @IsCronText()
  cron?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: MIN_EVERY_MS,
    maximum: MAX_EVERY_MS,
    description: 'A fixed period; or `cron`',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(MIN_EVERY_MS)
  @Max(MAX_EVERY_MS)
  everyMs?: number;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 64,
    default: 'UTC',
    description: "IANA time zone of the cron pattern's times",
  })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 64)
  timezone?: string;

  @ApiPropertyOptional({ ...DATE_OR_DAY, description: 'No fire before' })
  @IsOptionalNotNull()
  @IsBoundedDate()
  startAt?: Date;

  @ApiPropertyOptional({ ...DATE_OR_DAY, description: 'No fire after; after startAt, and ahead' })
  @IsOptionalNotNull()
  @IsBoundedDate()
  endAt?: Date;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  paused?: boolean;

  @ApiPropertyOptional({
    enum: SCHEDULE_OVERLAPS,
    default: 'allow',
    description: '`skip`: no fire while what the last one started has not finished',
  })
  @IsOptionalNotNull()
  @IsIn(SCHEDULE_OVERLAPS)
  overlap?: ScheduleOverlap;

  @ApiPropertyOptional({
    ...TAGS_PROPERTY,
    description: `${TAG_RULE}; given to every task the schedule starts`,
  })
  @IsOptionalNotNull()
  @IsTags()
  tags?: string[];
}

/** Every field may change; `cron` and `everyMs` replace each other, and null clears `startAt`/`endAt`. */
export class UpdateScheduleDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  name?: string;

  @ApiPropertyOptional({ type: ScheduleTargetDto })
  @IsOptionalNotNull()
  @ValidateNestedOne(() => ScheduleTargetDto)
  target?: ScheduleTargetDto;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 120,
    pattern: CRON_TEXT.source,
    example: '*/5 * * * *',
    description: 'As on creation; replaces `everyMs`',
  })
  @IsOptionalNotNull()
  @IsCronText()
  cron?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: MIN_EVERY_MS, maximum: MAX_EVERY_MS })
  @IsOptionalNotNull()
  @IsInt()
  @Min(MIN_EVERY_MS)
  @Max(MAX_EVERY_MS)
  everyMs?: number;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 64)
  timezone?: string;

  @ApiPropertyOptional({ ...DATE_OR_DAY, nullable: true })
  @IsOptional()
  @IsBoundedDate()
  startAt?: Date | null;

  @ApiPropertyOptional({
    ...DATE_OR_DAY,
    nullable: true,
    description: 'No fire after; after startAt (a past one ends the schedule at once)',
  })
  @IsOptional()
  @IsBoundedDate()
  endAt?: Date | null;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  paused?: boolean;

  @ApiPropertyOptional({ enum: SCHEDULE_OVERLAPS })
  @IsOptionalNotNull()
  @IsIn(SCHEDULE_OVERLAPS)
  overlap?: ScheduleOverlap;

  @ApiPropertyOptional({
    ...TAGS_PROPERTY,
    description: `${TAG_RULE}; given to every task the schedule starts`,
  })
  @IsOptionalNotNull()
  @IsTags()
  tags?: string[];
}

export class ScheduleTargetViewDto {
  @ApiProperty({ enum: ['agent', 'workflow'] }) kind!: 'agent' | 'workflow';
  @ApiProperty({ format: 'uuid', type: String, nullable: true }) agentId!: string | null;
  @ApiProperty({ format: 'uuid', type: String, nullable: true }) workflowId!: string | null;
  @ApiJsonProperty() input!: unknown;
}

export class ScheduleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: ScheduleTargetViewDto }) target!: ScheduleTargetViewDto;
  @ApiProperty({ type: String, nullable: true }) cron!: string | null;
  @ApiProperty({ type: Number, nullable: true }) everyMs!: number | null;
  @ApiProperty() timezone!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endAt!: Date | null;
  @ApiProperty() paused!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the platform paused the schedule; null when it runs or a user paused it',
  })
  pausedReason!: string | null;
  @ApiProperty({
    description:
      'true once its agent or workflow is deleted (not a step agent of its workflow): its next fire pauses it; point it at another target or delete it',
  })
  targetDeleted!: boolean;
  @ApiProperty({ enum: SCHEDULE_OVERLAPS }) overlap!: ScheduleOverlap;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({
    type: [String],
    format: 'date-time',
    description:
      'The next fire times (up to 5, each within 10 years of the one before); none while paused, once the window is over, or past the year 9999',
  })
  nextFires!: Date[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastFireAt!: Date | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The task or run the last fire started',
  })
  lastTargetId!: string | null;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'The API key that created or last changed the schedule (revoking that key pauses it); null when a signed-in user did',
  })
  changedWithApiKeyId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt!: Date;

  static from(s: Schedule, nextFires: Date[], targetDeleted: boolean): ScheduleDto {
    return {
      id: s.id,
      name: s.name,
      target: {
        kind: s.workflowId ? 'workflow' : 'agent',
        agentId: s.agentId,
        workflowId: s.workflowId,
        input: s.input,
      },
      cron: s.cron,
      everyMs: s.everyMs,
      timezone: s.timezone,
      startAt: s.startAt,
      endAt: s.endAt,
      paused: s.paused,
      pausedReason: s.pausedReason,
      targetDeleted,
      overlap: s.overlap,
      tags: s.tags,
      nextFires,
      lastFireAt: s.lastFireAt,
      lastTargetId: s.lastTargetId,
      createdBy: s.createdBy,
      changedWithApiKeyId: s.changedWithKeyId,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }
}
