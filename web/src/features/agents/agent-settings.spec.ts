import type { components } from '../../api/schema';
import { agentRefusalDetails, draftChanged, settingsChange, settingsDraft, settingsRefusal } from './agent-settings';

const agent = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'summarizer',
  type: 'calculator',
  description: 'Adds things up',
  status: 'active',
  config: {},
  configVersion: 1,
  concurrency: 5,
  concurrencyPerKey: null,
  timeoutMs: 30_000,
} as unknown as components['schemas']['AgentDto'];

describe('settingsChange', () => {
  it('sends nothing when nothing changed', () => {
    expect(settingsChange(agent, settingsDraft(agent))).toEqual({ change: {}, problems: {} });
    expect(draftChanged(agent, settingsDraft(agent))).toBe(false);
  });

  it('counts a wrong value typed as a change, to be reported on save', () => {
    const draft = { ...settingsDraft(agent), name: 'not/a name' };
    expect(draftChanged(agent, draft)).toBe(true);
    expect(settingsChange(agent, draft)).toEqual({ change: {}, problems: { name: expect.any(String) } });
  });

  it('sends only what changed, in the units of the API', () => {
    const draft = { ...settingsDraft(agent), name: ' summarizer-2 ', timeoutSeconds: 2.5, concurrencyPerKey: 2 };
    expect(settingsChange(agent, draft)).toEqual({
      change: { name: 'summarizer-2', timeoutMs: 2500, concurrencyPerKey: 2 },
      problems: {},
    });
  });

  it('removes the description and the limit per key when they are emptied', () => {
    const limited = { ...agent, concurrencyPerKey: 3 };
    const draft = { ...settingsDraft(limited), description: '  ', concurrencyPerKey: '' };
    expect(settingsChange(limited, draft).change).toEqual({ description: null, concurrencyPerKey: null });
  });

  it('names each problem by its field, and sends nothing wrong', () => {
    const draft = {
      name: 'ends with a space ?',
      description: 'x'.repeat(2001),
      concurrency: 0,
      concurrencyPerKey: 1.5,
      timeoutSeconds: '',
    };
    const { change, problems } = settingsChange(agent, draft);
    expect(change).toEqual({});
    expect(Object.keys(problems).sort()).toEqual([
      'concurrency',
      'concurrencyPerKey',
      'description',
      'name',
      'timeoutSeconds',
    ]);
  });

  it('refuses a timeout under 0.1 s or over an hour', () => {
    for (const timeoutSeconds of [0.09, 3600.5]) {
      expect(settingsChange(agent, { ...settingsDraft(agent), timeoutSeconds }).problems).toHaveProperty(
        'timeoutSeconds',
      );
    }
    expect(settingsChange(agent, { ...settingsDraft(agent), timeoutSeconds: 3600 }).change).toEqual({
      timeoutMs: 3_600_000,
    });
  });
});

describe('settingsRefusal', () => {
  it('puts the server’s refusal on the field it names, and keeps the rest', () => {
    expect(
      settingsRefusal([
        { field: '/name', message: 'is taken' },
        { field: '/timeoutMs', message: 'must not be greater than 3600000' },
        { field: '/status', message: 'is not allowed' },
        { message: 'Something else' },
      ]),
    ).toEqual({
      fields: { name: 'is taken', timeoutSeconds: 'must not be greater than 3600000' },
      other: ['/status: is not allowed', 'Something else'],
    });
  });
});

describe('agentRefusalDetails', () => {
  it('takes a validation’s and a conflict’s details, and leaves any other refusal off the fields', () => {
    const details = [{ field: '/timeoutMs', message: 'must not be greater than 3600000' }];
    expect(agentRefusalDetails({ code: 'VALIDATION_FAILED', message: 'The request is invalid', details })).toBe(
      details,
    );
    const taken = [{ field: '/name', message: 'An agent with this name already exists' }];
    expect(
      agentRefusalDetails({ code: 'CONFLICT', message: 'An agent with this name already exists', details: taken }),
    ).toBe(taken);
    // One agent more than the user may have: about no field.
    const limit = 'You have 1000 agents, the most a user may is 1000 (AGENTS_PER_USER): delete one first';
    expect(agentRefusalDetails({ code: 'CONFLICT', message: limit, details: [] })).toBeNull();
    expect(agentRefusalDetails({ code: 'FORBIDDEN', message: 'No', details: [] })).toBeNull();
    expect(agentRefusalDetails(null)).toBeNull();
  });
});
