import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn } from 'class-validator';
import { IsOptionalNotNull, ValidateNestedOne } from '../../common/http/dto-decorators';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { TaskQueryDto } from '../../tasks/task-bulk-actions';
import { WorkflowRunQueryDto } from '../../workflows/run-bulk-actions';
import {
  BULK_ACTIONS,
  BULK_KINDS,
  BULK_STATUSES,
  type BulkAction,
  type BulkKind,
  type BulkOperationEntity,
  type BulkStatus,
} from '../entities/bulk-operation.entity';

/** The task list's filters (`GET /tasks`), `metadata` as an object of string values. */
export class BulkTaskFilterDto extends OmitType(TaskQueryDto, ['skip', 'limit'] as const) {}

/** The run list's filters (`GET /workflow-runs`). */
export class BulkRunFilterDto extends OmitType(WorkflowRunQueryDto, ['skip', 'limit'] as const) {}

class BulkRequestFields {
  @ApiProperty({ enum: BULK_ACTIONS })
  @IsIn(BULK_ACTIONS)
  action!: BulkAction;

  @ApiPropertyOptional({ default: false, description: 'Count the matches only: nothing changes, 200 {matched}' })
  @IsOptionalNotNull()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Required when the filter narrows by nothing but `status`: acts on every match you can see',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  all?: boolean;
}

export class BulkTasksRequestDto extends BulkRequestFields {
  @ApiProperty({ type: BulkTaskFilterDto })
  @IsDefined()
  @ValidateNestedOne(() => BulkTaskFilterDto)
  filter!: BulkTaskFilterDto;
}

export class BulkRunsRequestDto extends BulkRequestFields {
  @ApiProperty({ type: BulkRunFilterDto })
  @IsDefined()
  @ValidateNestedOne(() => BulkRunFilterDto)
  filter!: BulkRunFilterDto;
}

export class BulkDryRunDto {
  @ApiProperty({ description: 'Items the action would apply to now' }) matched!: number;
}

export class BulkOperationQueryDto extends PageQueryDto {}

export class BulkOperationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: BULK_KINDS }) kind!: BulkKind;
  @ApiProperty({ enum: BULK_ACTIONS }) action!: BulkAction;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The filter as sent; `createdBy` is added for a non-admin's operation (their own items only)",
  })
  filter!: Record<string, unknown>;
  @ApiProperty({ enum: BULK_STATUSES }) status!: BulkStatus;
  @ApiProperty({
    description:
      'Items the action applied to when the operation was created: a count, not a list (items that came to ' +
      'match since are acted on too, so `done + failed` may end above it, or below it)',
  })
  matched!: number;
  @ApiProperty({ description: 'Items changed so far' }) done!: number;
  @ApiProperty({
    description:
      "Items reached that could not be changed (moved on meanwhile, a deleted agent's task, a workflow run's " +
      'step task on a retry of tasks, a run whose retry is refused)',
  })
  failed!: number;
  @ApiProperty({ minimum: 0, maximum: 1, description: '(done + failed) / matched, at most 1; 1 once finished' })
  progress!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Why a failed operation failed' }) error!: string | null;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: Date | null;

  static from(op: BulkOperationEntity): BulkOperationDto {
    const handled = op.done + op.failed;
    return {
      id: op.id,
      kind: op.kind,
      action: op.action,
      filter: op.filter,
      status: op.status,
      matched: op.matched,
      done: op.done,
      failed: op.failed,
      progress: op.status === 'succeeded' ? 1 : op.matched ? Math.min(1, handled / op.matched) : 0,
      error: op.error,
      createdBy: op.createdBy,
      createdAt: op.createdAt,
      finishedAt: op.finishedAt,
    };
  }
}
