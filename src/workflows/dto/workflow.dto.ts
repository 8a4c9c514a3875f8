import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { FreeFormJson, IsOptionalNotNull, ValidateNestedEach } from '../../common/http/dto-decorators';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { ApiJsonProperty, ApiJsonPropertyOptional } from '../../common/swagger/api-envelope';
import { TaskErrorDto } from '../../tasks/dto/task.dto';
import { IsTriggers, WorkflowTriggerDto } from '../triggers/trigger.dto';
import type { Condition } from '../../common/conditions/condition';
import { RUN_STATUSES, type RunStatus, type StepStatus } from '../entities/workflow-run.entity';

const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;

export class WorkflowStepDto {
  @ApiProperty({ pattern: STEP_ID.source, example: 'fetch' })
  @Matches(STEP_ID, { message: 'must start with a letter and use letters, digits, _ and - (at most 100)' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  agentId!: string;

  @ApiJsonProperty({
    description:
      'Any JSON value; string values "{{ <JSONata> }}" are evaluated against {input, steps} when the step is queued',
  })
  @IsDefined()
  @FreeFormJson()
  input!: unknown;

  @ApiPropertyOptional({ type: [String] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsString({ each: true })
  dependsOn?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'A condition over {input, steps}; false skips the step',
  })
  @IsOptionalNotNull()
  @IsObject()
  @FreeFormJson()
  when?: Condition;

  @ApiPropertyOptional({ description: 'When this step fails, the steps after it still run and the run does not fail' })
  @IsOptionalNotNull()
  @IsBoolean()
  continueOnFailure?: boolean;
}

export class CreateWorkflowDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ type: [WorkflowStepDto], minItems: 1, maxItems: 100 })
  @ValidateNestedEach(() => WorkflowStepDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  steps!: WorkflowStepDto[];
  @IsTriggers()
  triggers?: WorkflowTriggerDto[];
}

export class UpdateWorkflowDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ type: [WorkflowStepDto], minItems: 1, maxItems: 100 })
  @IsOptionalNotNull()
  @ValidateNestedEach(() => WorkflowStepDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  steps?: WorkflowStepDto[];
  @IsTriggers()
  triggers?: WorkflowTriggerDto[];
}

export class StartRunDto {
  @ApiJsonPropertyOptional({
    nullable: true,
    description: 'Any JSON value, available to templates and conditions as `input` (`{}` when absent)',
  })
  @IsOptional()
  @FreeFormJson()
  input?: unknown;
}

export class RunQueryDto extends PageQueryDto {}

export class WorkflowDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: [WorkflowStepDto] }) steps!: WorkflowStepDto[];
  @ApiProperty({ type: [WorkflowTriggerDto] }) triggers!: WorkflowTriggerDto[];
  @ApiProperty({ description: 'Raised on every change of the steps' }) version!: number;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt!: Date;
}

export class RunStepDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['pending', 'queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] })
  status!: StepStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) taskId!: string | null;
  @ApiJsonProperty({ nullable: true }) output!: unknown;
  @ApiProperty({ type: TaskErrorDto, nullable: true }) error!: {
    code: string;
    message: string;
  } | null;
}

export class WorkflowRunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) workflowId!: string;
  @ApiProperty() workflowVersion!: number;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatus;
  @ApiJsonProperty() input!: unknown;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The outputs of the steps nothing depends on, by step id; null until the run has succeeded or failed',
  })
  output!: unknown;
  @ApiProperty({ type: [RunStepDto] }) steps!: RunStepDto[];
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: Date | null;
}
