import { ApiProperty } from '@nestjs/swagger';
import { PERMISSIONS } from '../../auth/permissions';
import type { WaitingApproval } from '../persistence/waiting-approvals';

/**
 * An approval step waiting for the caller's decision: what tells it apart (its run, workflow and step), never the
 * run's input, outputs or creator, which a decider by permission may not read.
 */
export class WaitingApprovalDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ format: 'uuid' }) workflowId!: string;
  @ApiProperty() workflowName!: string;
  @ApiProperty() stepId!: string;
  @ApiProperty({
    enum: PERMISSIONS,
    nullable: true,
    type: String,
    description: 'Its holders decide the step; null: the run’s creator or an admin does',
  })
  permission!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the step is rejected if nobody decides it',
  })
  approvalDeadline!: string | null;
  @ApiProperty({ format: 'date-time' }) runCreatedAt!: Date;
  @ApiProperty({ description: 'Whether you may read the run itself (its creator, or an admin)' })
  mayReadRun!: boolean;

  static from(approval: WaitingApproval): WaitingApprovalDto {
    const { runId, workflowId, workflowName, stepId, permission, approvalDeadline, runCreatedAt, mayReadRun } =
      approval;
    return Object.assign(new WaitingApprovalDto(), {
      runId,
      workflowId,
      workflowName,
      stepId,
      permission,
      approvalDeadline,
      runCreatedAt,
      mayReadRun,
    });
  }
}
