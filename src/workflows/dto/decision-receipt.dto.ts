import { ApiProperty } from '@nestjs/swagger';
import { STEP_STATUSES, type StepStatus } from '../entities/workflow-run.entity';
import { StepDecisionDto } from './workflow-run.dto';

/** The decided step, as a decider who may not read its run sees it: nothing of the run's data. */
export class DecidedStepDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: STEP_STATUSES, description: '`succeeded` once approved, `failed` once rejected' })
  status!: StepStatus;
  @ApiProperty({ type: StepDecisionDto }) decision!: StepDecisionDto;
}

/**
 * What a decision answers someone who holds the step's permission but may not read the run (not its creator,
 * not an admin): that their decision was taken, never the run's input, outputs or creator.
 */
export class DecisionReceiptDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ type: DecidedStepDto }) step!: DecidedStepDto;
}
