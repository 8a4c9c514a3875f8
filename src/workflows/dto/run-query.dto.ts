import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { CreatedRangeQueryDto } from '../../common/http/created-range-query.dto';
import { RUN_STATUSES, type RunStatus } from '../entities/workflow-run.entity';

/** The filters of the runs list (`GET /workflow-runs`), also a bulk operation's on runs. */
export class WorkflowRunQueryDto extends CreatedRangeQueryDto {
  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflowId?: string;
}
