import { normalizedTriggers, triggerKey, triggerMatches, triggerProblems } from './trigger-definition';

const AGENT = '00000000-0000-4000-8000-00000000000a';
const OTHER = '00000000-0000-4000-8000-00000000000b';
const SELF = '00000000-0000-4000-8000-0000000000f1';
const UPSTREAM = '00000000-0000-4000-8000-0000000000f2';

describe('workflow triggers', () => {
  const agents = new Set([AGENT]);
  const workflows = new Set([SELF, UPSTREAM]);

  it('takes task events with or without an agent, and run events of another workflow', () => {
    const triggers = [
      { on: 'task.failed' as const },
      { on: 'task.succeeded' as const, agentId: AGENT },
      { on: 'run.failed' as const, workflowId: UPSTREAM },
    ];
    expect(triggerProblems(triggers, agents, workflows, SELF)).toEqual([]);
  });

  it('names every problem: missing or misplaced ids, unknown ones, itself, duplicates', () => {
    const problems = triggerProblems(
      [
        { on: 'run.succeeded' },
        { on: 'run.succeeded', workflowId: SELF },
        { on: 'run.failed', workflowId: OTHER, agentId: AGENT },
        { on: 'task.failed', workflowId: UPSTREAM },
        { on: 'task.failed', agentId: OTHER },
        { on: 'task.failed', agentId: OTHER },
      ],
      agents,
      workflows,
      SELF,
    );
    expect(problems).toEqual([
      { field: '/triggers/0/workflowId', message: 'run events need workflowId' },
      { field: '/triggers/1/workflowId', message: 'a workflow cannot be triggered by its own runs' },
      { field: '/triggers/2/workflowId', message: 'no workflow with this id' },
      { field: '/triggers/2/agentId', message: 'only task events take agentId' },
      { field: '/triggers/3/workflowId', message: 'only run events take workflowId' },
      { field: '/triggers/4/agentId', message: 'no agent with this id' },
      { field: '/triggers/5/agentId', message: 'no agent with this id' },
      { field: '/triggers/5', message: 'duplicates trigger 4' },
    ]);
  });

  it('matches events by type, and by agent or workflow', () => {
    expect(triggerMatches({ on: 'task.failed' }, 'task.failed', { agentId: OTHER })).toBe(true);
    expect(triggerMatches({ on: 'task.failed', agentId: AGENT }, 'task.failed', { agentId: OTHER })).toBe(false);
    expect(triggerMatches({ on: 'task.failed', agentId: AGENT }, 'task.succeeded', { agentId: AGENT })).toBe(false);
    expect(triggerMatches({ on: 'run.failed', workflowId: UPSTREAM }, 'run.failed', { workflowId: UPSTREAM })).toBe(
      true,
    );
    expect(triggerMatches({ on: 'run.failed', workflowId: UPSTREAM }, 'run.failed', { workflowId: SELF })).toBe(false);
  });

  it('keys one start per workflow, event and source, and stores only the fields given', () => {
    expect(triggerKey(SELF, 'task.failed', AGENT)).toBe(`trigger:${SELF}:task.failed:${AGENT}`);
    expect(normalizedTriggers([{ on: 'task.failed', agentId: undefined }])).toEqual([{ on: 'task.failed' }]);
  });
});
