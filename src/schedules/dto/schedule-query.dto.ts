import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsQueryBoolean } from '../../common/http/dto-decorators';
import { IsId } from '../../common/http/ids';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { FIRE_OUTCOMES, type FireRecordOutcome } from '../entities/schedule-fire.entity';
import type { ScheduleFire } from '../persistence/schedule.repository';

const TARGETS = ['agent', 'workflow'] as const;

export class ScheduleQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only paused (`true`) or only active (`false`) schedules' })
  @IsQueryBoolean()
  paused?: boolean;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Only schedules carrying this tag' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tag?: string;

  @ApiPropertyOptional({ enum: TARGETS, description: 'Only schedules that start tasks, or only runs' })
  @IsOptional()
  @IsIn(TARGETS)
  target?: (typeof TARGETS)[number];

  @ApiPropertyOptional({ format: 'uuid', description: "Only schedules starting this agent's tasks" })
  @IsOptional()
  @IsId()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Only schedules starting this workflow's runs" })
  @IsOptional()
  @IsId()
  workflowId?: string;
}

/** One handled fire of a schedule. */
export class ScheduleFireDto {
  @ApiProperty({ format: 'date-time', description: 'The fire time the schedule gave it' })
  fireAt!: Date;

  @ApiProperty({
    enum: FIRE_OUTCOMES,
    description:
      '`made`: it started `targetId`; `skipped-overlap`: the last fire had not finished; `failed`: refused (see `error`)',
  })
  outcome!: FireRecordOutcome;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The task or run it started' })
  targetId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The error code of a refused fire' })
  error!: string | null;

  @ApiProperty({ format: 'date-time', description: 'When it was handled (later than `fireAt` for a late fire)' })
  handledAt!: Date;

  static from(f: ScheduleFire): ScheduleFireDto {
    return { fireAt: f.fireAt, outcome: f.outcome, targetId: f.targetId, error: f.error, handledAt: f.handledAt };
  }
}
