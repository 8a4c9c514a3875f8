import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsDisplayDescription, IsDisplayText } from '../../common/http/display-text';
import { IsId } from '../../common/http/ids';
import { type Permission, PERMISSIONS } from '../../auth/permissions';
import {
  FreeFormJson,
  IsOptionalNotNull,
  IsTags,
  TAGS_PROPERTY,
  TAG_RULE,
  ValidateNestedEach,
} from '../../common/http/dto-decorators';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { ApiJsonPropertyOptional } from '../../common/swagger/api-envelope';
import { IsTriggers, WorkflowTriggerDto } from '../triggers/trigger.dto';
import type { Condition } from '../../common/conditions/condition';
import { STEP_KINDS, type StepKind } from '../workflow-definition';

/**
 * Most steps a workflow may have, and most dependencies of one step (a fan-in over all of them). Advancing a
 * run costs the same whatever its size (docs/performance.md (i)); the cap bounds the definition's size.
 */
export const MAX_WORKFLOW_STEPS = 1000;

export const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** The longest an approval or a wait may last: a year. */
export const MAX_WAIT_MS = 365 * 24 * 3600 * 1000;

const isTaskStep = (step: { kind?: unknown }): boolean => step.kind === undefined || step.kind === 'task';

export class WorkflowStepDto {
  @ApiProperty({ pattern: STEP_ID.source, example: 'fetch' })
  @Matches(STEP_ID, { message: 'must start with a letter and use letters, digits, _ and - (at most 100)' })
  id!: string;

  @ApiPropertyOptional({
    enum: STEP_KINDS,
    default: 'task',
    description:
      '`task` runs `input` on `agentId`; `approval` waits for approve/reject (or its `timeoutMs`); `wait` waits ' +
      '`durationMs` or until `until`',
  })
  @IsOptionalNotNull()
  @IsIn(STEP_KINDS)
  kind?: StepKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Task steps (required there); no other kind has one' })
  @ValidateIf(isTaskStep)
  @IsId()
  agentId?: string;

  @ApiJsonPropertyOptional({
    description:
      'Task steps (required there): any JSON value; string values "{{ <JSONata> }}" are evaluated against ' +
      '{input, steps} when the step is queued',
  })
  @ValidateIf(isTaskStep)
  @IsDefined()
  @FreeFormJson()
  input?: unknown;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_WAIT_MS,
    description: 'Approval steps: rejected (`APPROVAL_TIMED_OUT`) when nobody decided this many ms after it began',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_WAIT_MS)
  timeoutMs?: number;

  @ApiPropertyOptional({
    enum: PERMISSIONS,
    description:
      'Approval steps: who may decide (holders of this permission, whoever created the run); without it, ' +
      'whoever may change the run (its creator with `workflows:write`, or an admin)',
  })
  @IsOptionalNotNull()
  @IsIn(PERMISSIONS)
  permission?: Permission;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_WAIT_MS,
    description: 'Wait steps: how long to wait (ms)',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_WAIT_MS)
  durationMs?: number;

  @ApiPropertyOptional({
    maxLength: 10_000,
    example: '{{ input.notBefore }}',
    description:
      'Wait steps: an ISO 8601 date-time to wait until (with its offset, of a day that exists, in years 0001-9999), or a template rendering to one when the step begins',
  })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(10_000)
  until?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_WORKFLOW_STEPS })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_WORKFLOW_STEPS)
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
  @IsDisplayText()
  name!: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true, description: 'null: none (as it reads back)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsDisplayDescription()
  description?: string | null;

  @ApiProperty({ type: [WorkflowStepDto], minItems: 1, maxItems: MAX_WORKFLOW_STEPS })
  @ValidateNestedEach(() => WorkflowStepDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WORKFLOW_STEPS)
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
  @IsDisplayText()
  name?: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true, description: 'null: none (as it reads back)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsDisplayDescription()
  description?: string | null;

  @ApiPropertyOptional({ type: [WorkflowStepDto], minItems: 1, maxItems: MAX_WORKFLOW_STEPS })
  @IsOptionalNotNull()
  @ValidateNestedEach(() => WorkflowStepDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WORKFLOW_STEPS)
  steps?: WorkflowStepDto[];
  @IsTriggers()
  triggers?: WorkflowTriggerDto[];
}

export class StartRunDto {
  @ApiJsonPropertyOptional({
    nullable: true,
    description: 'Any JSON value, available to templates and conditions as `input` (`{}` when absent or null)',
  })
  @IsOptional()
  @FreeFormJson()
  input?: unknown;

  @ApiPropertyOptional({
    ...TAGS_PROPERTY,
    description: `${TAG_RULE}; the run's step tasks carry them too`,
    example: ['nightly', 'acme'],
  })
  @IsOptionalNotNull()
  @IsTags()
  tags?: string[];
}

/** `GET /workflows`: a page, optionally narrowed by a text search. */
export class WorkflowQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Searches name and description (any case, anywhere in them)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/** A workflow's runs (`GET /workflows/:id/runs`). */
export class RunQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Only runs carrying this tag' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tag?: string;
}

export class WorkflowDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: [WorkflowStepDto] }) steps!: WorkflowStepDto[];
  @ApiProperty({ type: [WorkflowTriggerDto] }) triggers!: WorkflowTriggerDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Why the platform paused the triggers (they start no run); null when they run. Setting `triggers` resumes them',
  })
  triggersPausedReason!: string | null;
  @ApiProperty({ description: 'Raised on every change of the steps' }) version!: number;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'The API key that created or last changed the workflow (revoking that key pauses its triggers); null when a signed-in user did',
  })
  changedWithApiKeyId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt!: Date;
}

/** A workflow in a list: its steps only within the page's bound, their number always. */
export class WorkflowListItemDto extends OmitType(WorkflowDto, ['steps'] as const) {
  @ApiProperty({
    type: [WorkflowStepDto],
    nullable: true,
    description:
      'Null when left out of the list (`stepsOmitted`): a definition over the bound a task’s input gets in a list ' +
      '(64 KiB, less on a long page); `GET /workflows/:id` has it whole',
  })
  steps!: WorkflowStepDto[] | null;
  @ApiProperty({ type: 'integer', description: 'How many steps it has, listed or not' }) stepCount!: number;
  @ApiProperty({ description: 'Whether `steps` was left out of the list for its size' }) stepsOmitted!: boolean;
}

/** One workflow, with what keeps it from running. */
export class WorkflowDetailDto extends WorkflowDto {
  @ApiProperty({
    type: [String],
    description:
      'The task steps whose agent was deleted since the workflow was saved: a run is refused (409) until they are changed',
  })
  stepsWithDeletedAgent!: string[];
}

export class DecideStepDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'Kept with the decision, in the audit log and the step output' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
