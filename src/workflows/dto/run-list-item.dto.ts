import { ApiProperty, OmitType } from '@nestjs/swagger';
import { ApiJsonProperty } from '../../common/swagger/api-envelope';
import { RunStepDto, WorkflowRunDto } from './workflow-run.dto';

const LEFT_OUT = 'over the list bound (64 KiB as JSON; 8 MiB ÷ (2 × limit) when smaller) and left out of the list';

/** A step of a run in a list: never its output, flagged when it has one. */
export class RunListStepDto extends RunStepDto {
  @ApiJsonProperty({
    nullable: true,
    description: 'Always null in a list, which carries no step’s output (`outputOmitted` says whether there is one)',
  })
  declare output: unknown;
  @ApiProperty({
    description: 'The step has an output, left out of the list (`output` is null); `GET /workflow-runs/:id` has it',
  })
  outputOmitted!: boolean;
}

/**
 * A run in a list: its input and output only up to a bound, each flagged when left out; no step's output; its
 * steps only up to a number, their count always.
 */
export class RunListItemDto extends OmitType(WorkflowRunDto, ['steps'] as const) {
  @ApiJsonProperty({ nullable: true, description: 'Null when left out of the list (`inputOmitted`)' })
  declare input: unknown;
  @ApiProperty({
    type: [RunListStepDto],
    nullable: true,
    description:
      'Null when left out of the list (`stepsOmitted`): a run of more than 200 steps (10,000 ÷ limit when ' +
      'fewer); `GET /workflow-runs/:id` has them all',
  })
  steps!: RunListStepDto[] | null;
  @ApiProperty({ type: 'integer', description: 'How many steps the run has, listed or not' })
  stepCount!: number;
  @ApiProperty({
    type: 'integer',
    description: 'How many of them are not over yet (pending, queued, running or waiting): 0 once the run is over',
  })
  openStepCount!: number;
  @ApiProperty({ description: 'Whether `steps` was left out of the list for their number' })
  stepsOmitted!: boolean;
  @ApiProperty({ description: `The input is ${LEFT_OUT} (\`input\` is null); \`GET /workflow-runs/:id\` has it` })
  inputOmitted!: boolean;
  @ApiProperty({ description: `The output is ${LEFT_OUT} (\`output\` is null); \`GET /workflow-runs/:id\` has it` })
  outputOmitted!: boolean;
}
