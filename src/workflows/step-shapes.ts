import type { ErrorDetail } from '../common/errors/app.error';
import { boundedDate } from '../common/http/dto-decorators';
import type { WorkflowStepDto } from './dto/workflow.dto';
import { STEP_OWN_FIELDS } from './step-own-fields';
import { UNTIL_FORM } from './step-waits';
import { templateExpressions } from './templates';
import type { StepKind, WorkflowStep } from './workflow-definition';

/** The fields only one kind of step has, and that kind. */
const OWN_FIELDS: Readonly<Record<string, StepKind>> = STEP_OWN_FIELDS;

/**
 * What is wrong with a step's fields for its kind (the DTO checked each field alone): another kind's fields,
 * a wait with neither or both of `durationMs` and `until`, an `until` that is neither a time (with its offset, of
 * a day that exists, in years 0001-9999) nor a template.
 */
export function stepShapeProblems(step: WorkflowStepDto, i: number): ErrorDetail[] {
  const kind = step.kind ?? 'task';
  const problems: ErrorDetail[] = [];
  for (const [field, owner] of Object.entries(OWN_FIELDS)) {
    if (owner !== kind && (step as unknown as Record<string, unknown>)[field] !== undefined)
      problems.push({ field: `/steps/${i}/${field}`, message: `only ${owner} steps have ${field}` });
  }
  if (kind !== 'wait') return problems;
  if ((step.durationMs === undefined) === (step.until === undefined))
    problems.push({ field: `/steps/${i}/durationMs`, message: 'a wait step has either durationMs or until' });
  if (step.until !== undefined && !templateExpressions(step.until).length && !boundedDate(step.until))
    problems.push({ field: `/steps/${i}/until`, message: `must be ${UNTIL_FORM} or a {{ template }}` });
  return problems;
}

/** The step as a definition stores it: a kind's own fields only, task steps without `kind`. */
export function storedStep(step: WorkflowStepDto): WorkflowStep {
  const { id, dependsOn, when, continueOnFailure } = step;
  const common = {
    ...(dependsOn?.length ? { dependsOn } : {}),
    ...(when ? { when } : {}),
    ...(continueOnFailure ? { continueOnFailure } : {}),
  };
  switch (step.kind ?? 'task') {
    case 'approval':
      return { id, kind: 'approval', ...common, ...pick(step, 'timeoutMs', 'permission') };
    case 'wait':
      return { id, kind: 'wait', ...common, ...pick(step, 'durationMs', 'until') };
    default:
      return { id, agentId: step.agentId!, input: step.input, ...common };
  }
}

function pick<K extends keyof WorkflowStepDto>(step: WorkflowStepDto, ...keys: K[]): Pick<WorkflowStepDto, K> {
  return Object.fromEntries(keys.filter((k) => step[k] !== undefined).map((k) => [k, step[k]])) as Pick<
    WorkflowStepDto,
    K
  >;
}
