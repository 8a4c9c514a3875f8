import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn } from 'class-validator';
import { IsId } from '../../common/http/ids';
import { IsOptionalNotNull, ValidateNestedEach } from '../../common/http/dto-decorators';
import { MAX_TRIGGERS, TRIGGER_EVENTS, type TriggerEvent } from './trigger-definition';

export class WorkflowTriggerDto {
  @ApiProperty({ enum: TRIGGER_EVENTS, description: 'A task or a run of the workflow’s creator reaching this status' })
  @IsIn(TRIGGER_EVENTS)
  on!: TriggerEvent;

  @ApiPropertyOptional({ format: 'uuid', description: 'task.* only: tasks of this agent (any agent without it)' })
  @IsOptionalNotNull()
  @IsId()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'run.* (required): runs of this workflow, never itself' })
  @IsOptionalNotNull()
  @IsId()
  workflowId?: string;
}

/** A workflow's optional `triggers` field, in a definition being created or changed. */
export function IsTriggers(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: [WorkflowTriggerDto],
      maxItems: MAX_TRIGGERS,
      description: 'Platform events that start a run, with input {event, task | run}',
    }),
    IsOptionalNotNull(),
    ValidateNestedEach(() => WorkflowTriggerDto),
    ArrayMaxSize(MAX_TRIGGERS),
  );
}
