import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { IsBoundedDate } from '../../common/http/dto-decorators';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { RUN_STATUSES, type RunStatus } from '../entities/workflow-run.entity';

/** The filters of the runs list (`GET /workflow-runs`), also a bulk operation's on runs. */
export class WorkflowRunQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflowId?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsBoundedDate()
  createdAfter?: Date;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsBoundedDate()
  createdBefore?: Date;
}
