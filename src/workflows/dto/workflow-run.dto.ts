import { ApiProperty } from '@nestjs/swagger';
import { type Permission, PERMISSIONS } from '../../auth/permissions';
import { ApiJsonProperty } from '../../common/swagger/api-envelope';
import { TaskErrorDto } from '../../tasks/task-view';
import {
  RUN_STATUSES,
  type RunStatus,
  STEP_STATUSES,
  type StepDecision,
  type StepStatus,
} from '../entities/workflow-run.entity';
import { STEP_KINDS, type StepKind } from '../workflow-definition';

/** A workflow run and its steps as the API returns them. */

export class StepDecisionDto {
  @ApiProperty({ enum: ['approved', 'rejected', 'timed_out'] }) outcome!: StepDecision['outcome'];
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Who decided; null for a timeout' })
  by!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ nullable: true, type: String }) comment!: string | null;
}

export class RunStepDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: STEP_KINDS }) kind!: StepKind;
  @ApiProperty({
    enum: STEP_STATUSES,
    description: '`waiting`: an approval step waiting for a decision, or a wait step waiting for its time',
  })
  status!: StepStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) taskId!: string | null;
  @ApiJsonProperty({ nullable: true }) output!: unknown;
  @ApiProperty({ type: TaskErrorDto, nullable: true }) error!: {
    code: string;
    message: string;
  } | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Wait steps that began: when the wait ends',
  })
  waitUntil!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Approval steps that began with a `timeoutMs`: when the step is rejected unless decided',
  })
  approvalDeadline!: string | null;
  @ApiProperty({ type: StepDecisionDto, nullable: true, description: 'Approval steps once decided or timed out' })
  decision!: StepDecisionDto | null;
  @ApiProperty({
    enum: PERMISSIONS,
    nullable: true,
    description:
      'Approval steps that name one: the permission whose holders decide the step; null: whoever may change the run',
  })
  permission!: Permission | null;
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
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: Date | null;
}
