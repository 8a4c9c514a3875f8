import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { IsId } from '../../common/http/ids';
import { CreatedRangeQueryDto } from '../../common/http/created-range-query.dto';
import { IsOptionalNotNull } from '../../common/http/dto-decorators';
import { RUN_STATUSES, type RunStatus } from '../entities/workflow-run.entity';

/** The filters of the runs list (`GET /workflow-runs`), also a bulk operation's on runs. */
export class WorkflowRunQueryDto extends CreatedRangeQueryDto {
  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptionalNotNull()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalNotNull()
  @IsId()
  workflowId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Only runs carrying this tag' })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 64)
  tag?: string;
}
