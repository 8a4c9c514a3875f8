import type { AppError } from '../common/errors/app.error';
import { AgentUnavailableError } from '../tasks/tasks.errors';
import { WorkflowAgentDeletedError, WorkflowNotFoundError } from '../workflows/workflows.errors';
import { KEY_READS_NO_FILES, ScheduleKeyReadsNoFilesError } from './schedules.errors';

/** The longest reason a schedule keeps (`pausedReason`). */
export const MAX_PAUSED_REASON = 200;

/** Why the platform pauses a schedule: its `pausedReason`, and the `reason` of the pause's audit entry. */
export interface FirePause {
  pausedReason: string;
  reason: 'target.gone' | 'apikey.scope';
}

/**
 * The pause a refused fire calls for, when the refusal says every later fire would be refused too: its target is
 * gone, or reads a file the key it acts with may not read. Undefined for a refusal that may pass another time.
 */
export function pauseFor(err: AppError): FirePause | undefined {
  if (err instanceof AgentUnavailableError) return gone('Its agent was deleted');
  if (err instanceof WorkflowNotFoundError) return gone('Its workflow was deleted');
  if (err instanceof WorkflowAgentDeletedError) return gone(stepsWithDeletedAgent(err.stepIds));
  if (err instanceof ScheduleKeyReadsNoFilesError) return { pausedReason: KEY_READS_NO_FILES, reason: 'apikey.scope' };
  return undefined;
}

const gone = (pausedReason: string): FirePause => ({ pausedReason, reason: 'target.gone' });

/**
 * "The agent of step b has been deleted" ("of steps b, c"), naming as many of the steps as a reason holds and
 * counting the rest ("of steps b, c and 4 more").
 */
export function stepsWithDeletedAgent(stepIds: readonly string[]): string {
  const of = `The agent of step${stepIds.length > 1 ? 's' : ''}`;
  const naming = (named: number): string => {
    const rest = stepIds.length - named;
    return `${of} ${stepIds.slice(0, named).join(', ')}${rest ? ` and ${rest} more` : ''} has been deleted`;
  };
  for (let named = stepIds.length; named > 1; named--)
    if (naming(named).length <= MAX_PAUSED_REASON) return naming(named);
  // A step id is at most 100 characters: one, and the count of the rest, always fit.
  return naming(1);
}
