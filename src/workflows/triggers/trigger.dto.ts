import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { IsOptionalNotNull } from '../../common/http/dto-decorators';
import { TRIGGER_EVENTS, type TriggerEvent } from './trigger-definition';

export class WorkflowTriggerDto {
  @ApiProperty({ enum: TRIGGER_EVENTS, description: 'A task or a run of the workflow’s creator reaching this status' })
  @IsIn(TRIGGER_EVENTS)
  on!: TriggerEvent;

  @ApiPropertyOptional({ format: 'uuid', description: 'task.* only: tasks of this agent (any agent without it)' })
  @IsOptionalNotNull()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'run.* (required): runs of this workflow, never itself' })
  @IsOptionalNotNull()
  @IsUUID()
  workflowId?: string;
}
