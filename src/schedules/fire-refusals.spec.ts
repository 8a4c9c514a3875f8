import { ConflictError, NotFoundError } from '../common/errors/app.error';
import { CreatorWithoutAccessError } from '../users/users.errors';
import { AgentUnavailableError } from '../tasks/tasks.errors';
import { WorkflowAgentDeletedError, WorkflowNotFoundError } from '../workflows/workflows.errors';
import { MAX_PAUSED_REASON, pauseFor, stepsWithDeletedAgent } from './fire-refusals';
import { KEY_READS_NO_FILES, ScheduleKeyReadsNoFilesError } from './schedules.errors';

describe('pauseFor: the refusals every later fire would meet too', () => {
  it('pauses for a target that is gone, saying which', () => {
    expect(pauseFor(new AgentUnavailableError())).toEqual({
      pausedReason: 'Its agent was deleted',
      reason: 'target.gone',
    });
    expect(pauseFor(new WorkflowNotFoundError())).toEqual({
      pausedReason: 'Its workflow was deleted',
      reason: 'target.gone',
    });
    expect(pauseFor(new WorkflowAgentDeletedError(['b']))).toEqual({
      pausedReason: 'The agent of step b has been deleted',
      reason: 'target.gone',
    });
    expect(pauseFor(new WorkflowAgentDeletedError(['b', 'c']))?.pausedReason).toBe(
      'The agent of steps b, c has been deleted',
    );
  });

  it('pauses for a file its key may not read', () => {
    expect(pauseFor(new ScheduleKeyReadsNoFilesError())).toEqual({
      pausedReason: KEY_READS_NO_FILES,
      reason: 'apikey.scope',
    });
  });

  it('goes by the error, not by its words', () => {
    // Not found, and its message starts as a workflow's would: a run, or anything else, is no deleted workflow.
    expect(pauseFor(new NotFoundError('Workflow run'))).toBeUndefined();
    expect(pauseFor(new NotFoundError('Workflow'))).toBeUndefined();
    expect(pauseFor(new ConflictError('The agent of step b has been deleted: change it'))).toBeUndefined();
    // A creator deactivated may be activated again: their schedule's fires fail meanwhile, and it runs on.
    expect(pauseFor(new CreatorWithoutAccessError('tasks:write'))).toBeUndefined();
  });
});

describe('stepsWithDeletedAgent', () => {
  it('names as many steps as a reason holds, and counts the rest', () => {
    const long = Array.from({ length: 6 }, (_, i) => `${String.fromCharCode(97 + i)}${'x'.repeat(99)}`);
    const reason = stepsWithDeletedAgent(long);
    expect(reason.length).toBeLessThanOrEqual(MAX_PAUSED_REASON);
    expect(reason).toBe(`The agent of steps ${long[0]} and 5 more has been deleted`);
    const short = Array.from({ length: 40 }, (_, i) => `step${i}`);
    const some = stepsWithDeletedAgent(short);
    expect(some.length).toBeLessThanOrEqual(MAX_PAUSED_REASON);
    expect(some).toMatch(/^The agent of steps step0, step1, .*step\d+ and \d+ more has been deleted$/);
    const named = /, (step\d+) and (\d+) more/.exec(some)!;
    expect(Number(named[1].slice(4)) + 1 + Number(named[2])).toBe(40);
  });
});
