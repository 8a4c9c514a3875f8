import { STEP_OWN_FIELDS } from '../../../../src/workflows/step-own-fields';
import { STEP_FIELDS, STEP_KINDS } from '../../api/contract-values';
import { validateDefinition } from './workflow-validation';

const A = '11111111-1111-4111-8111-111111111111';
const W = '33333333-3333-4333-8333-333333333333';
const task = { id: 'calc', agentId: A, input: { expression: '1+2' } };

const messages = (value: Record<string, unknown>, options = {}) =>
  validateDefinition({ name: 'w', ...value }, options).map((p) => `${p.pointer}: ${p.message}`);

describe('the editor’s checks of each kind of step, as the server’s', () => {
  it('takes approval and wait steps with their own fields, as the API does', () => {
    expect(
      messages({
        steps: [
          task,
          { id: 'gate', kind: 'approval', timeoutMs: 3_600_000, permission: 'workflows:write', dependsOn: ['calc'] },
          { id: 'pause', kind: 'wait', durationMs: 1000, dependsOn: ['gate'] },
          { id: 'later', kind: 'wait', until: '{{ input.notBefore }}', dependsOn: ['pause'] },
          { id: 'dated', kind: 'wait', until: '2027-01-01T00:00:00Z' },
          { ...task, id: 'explicit', kind: 'task' },
        ],
      }),
    ).toEqual([]);
  });

  it('names another kind’s fields, a missing or doubled wait, bad times and an unknown kind', () => {
    expect(
      messages({
        steps: [
          { id: 'a', kind: 'approval', agentId: A, input: {}, durationMs: 5 },
          { id: 'b', kind: 'wait' },
          { id: 'c', kind: 'wait', durationMs: 1, until: 'tomorrow' },
          { id: 'd', kind: 'approval', timeoutMs: 0, permission: 7 },
          { id: 'e', kind: 'sleep' },
          { id: 'f', agentId: A, input: {}, timeoutMs: 5 },
        ],
      }),
    ).toEqual([
      '/steps/0/agentId: only task steps have agentId',
      '/steps/0/input: only task steps have input',
      '/steps/0/durationMs: only wait steps have durationMs',
      '/steps/1/durationMs: a wait step has either durationMs or until',
      '/steps/2/durationMs: a wait step has either durationMs or until',
      '/steps/2/until: must be an ISO 8601 date-time with its offset (Z or ±hh:mm), of a day that exists, in years 0001-9999, or a {{ template }}',
      '/steps/3/timeoutMs: must be a whole number of milliseconds from 1 to 31536000000',
      '/steps/3/permission: must be a permission (a string), not a number',
      '/steps/4/kind: must be one of task, approval, wait',
      '/steps/5/timeoutMs: only approval steps have timeoutMs',
    ]);
  });

  it('takes the times the server takes for until, and refuses what it refuses', () => {
    const untilOf = (until: string) => messages({ steps: [{ id: 'w', kind: 'wait', until }] });
    for (const until of ['2030-01-01T10:00:00Z', '2030-01-01T10:00:00.5+05:30', '2030-01-01T10:00-0800', '2030-01-01'])
      expect([until, untilOf(until)]).toEqual([until, []]);
    for (const until of [
      '2031-02-29T00:00:00Z',
      '2030-01-01T10:00',
      '2030-01-01 10:00:00Z',
      '7',
      'June 1, 2031',
      '9999-12-31T23:00:00-05:00',
      '0000-06-01T00:00:00Z',
    ])
      expect([until, untilOf(until)]).toEqual([
        until,
        [expect.stringMatching(/^\/steps\/0\/until: must be an ISO 8601/)],
      ]);
  });

  it('allows as many steps as the server does (1,000), and no more', () => {
    const chain = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...task, id: `s${i}`, ...(i ? { dependsOn: [`s${i - 1}`] } : {}) }));
    expect(messages({ steps: chain(1000) })).toEqual([]);
    expect(messages({ steps: chain(1001) })).toEqual(['/steps: must have at most 1000 steps']);
  });

  it('has each kind’s own fields from the server’s list, each a step field of a kind the API document names', () => {
    for (const [field, owner] of Object.entries(STEP_OWN_FIELDS)) {
      expect(STEP_FIELDS).toContain(field);
      expect(STEP_KINDS).toContain(owner);
    }
  });
});

describe('the editor’s checks of triggers, as the server’s', () => {
  it('takes task events with or without an agent and run events of a workflow', () => {
    const triggers = [{ on: 'task.failed' }, { on: 'task.succeeded', agentId: A }, { on: 'run.failed', workflowId: W }];
    expect(messages({ steps: [task], triggers }, { knownAgents: new Set([A]) })).toEqual([]);
  });

  it('names what the server would refuse, by pointer', () => {
    expect(
      messages(
        {
          steps: [task],
          triggers: [
            { on: 'run.failed' },
            { on: 'run.succeeded', workflowId: W, agentId: A },
            { on: 'task.failed', workflowId: W },
            { on: 'task.done' },
            { on: 'task.failed', agentId: '44444444-4444-4444-8444-444444444444' },
            { on: 'task.expired', agentId: 'calc', extra: true },
            { on: 'task.cancelled' },
            { on: 'task.cancelled' },
            'task.failed',
          ],
        },
        { knownAgents: new Set([A]) },
      ),
    ).toEqual([
      '/triggers/0/workflowId: run events need workflowId',
      '/triggers/1/agentId: only task events take agentId',
      '/triggers/2/workflowId: only run events take workflowId',
      '/triggers/3/on: must be one of task.succeeded, task.failed, task.cancelled, task.expired, run.succeeded, run.failed, run.cancelled',
      '/triggers/4/agentId: no agent with this id',
      '/triggers/5/extra: is not a trigger field (on, agentId, workflowId)',
      '/triggers/5/agentId: must be an agent id (a UUID)',
      '/triggers/7: duplicates trigger 6',
      '/triggers/8: must be an object {on, agentId?, workflowId?}, not a string',
    ]);
    expect(messages({ steps: [task], triggers: {} })).toEqual([
      '/triggers: must be an array of triggers, not an object',
    ]);
    expect(messages({ steps: [task], triggers: Array.from({ length: 21 }, () => ({ on: 'task.failed' })) })).toContain(
      '/triggers: must have at most 20 triggers',
    );
  });
});
