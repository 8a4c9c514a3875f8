import { toLocalInput } from '../../app/local-time';
import {
  type Schedule,
  checkForm,
  createBody,
  describeEvery,
  describeTiming,
  emptyForm,
  everyToForm,
  fieldOfPointer,
  fireTime,
  formChanged,
  formErrorsFromDetails,
  formFromSchedule,
  lastTargetPath,
  listApiQuery,
  listParamsFromSearch,
  timeZones,
  updateBody,
  upcomingFires,
} from './schedule-helpers';

const AGENT = '11111111-1111-4111-8111-111111111111';
const WORKFLOW = '22222222-2222-4222-8222-222222222222';
const TARGET = '33333333-3333-4333-8333-333333333333';

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    id: '44444444-4444-4444-8444-444444444444',
    name: 'Morning report',
    target: { kind: 'agent', agentId: AGENT, workflowId: null, input: { expression: '1+2' } },
    cron: '0 9 * * 1-5',
    everyMs: null,
    timezone: 'Europe/Berlin',
    startAt: null,
    endAt: null,
    paused: false,
    pausedReason: null,
    targetDeleted: false,
    overlap: 'allow',
    tags: [],
    nextFires: [],
    lastFireAt: null,
    lastTargetId: null,
    createdBy: '55555555-5555-4555-8555-555555555555',
    changedWithApiKeyId: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('describeTiming', () => {
  it('says a cron pattern with its time zone', () => {
    expect(describeTiming({ cron: '0 9 * * 1-5', everyMs: null, timezone: 'Europe/Berlin' })).toBe(
      'cron 0 9 * * 1-5 (Europe/Berlin)',
    );
  });

  it('says a period in the largest unit it fills', () => {
    expect(describeTiming({ cron: null, everyMs: 300_000, timezone: 'UTC' })).toBe('every 5 min');
    expect(describeEvery(60_000)).toBe('every minute');
    expect(describeEvery(1000)).toBe('every second');
    expect(describeEvery(90_000)).toBe('every 90 s');
    expect(describeEvery(2 * 3_600_000)).toBe('every 2 h');
    expect(describeEvery(24 * 3_600_000)).toBe('every day');
    expect(describeEvery(3 * 24 * 3_600_000)).toBe('every 3 days');
    expect(describeEvery(1500)).toBe('every 1,500 ms');
  });
});

describe('everyToForm', () => {
  it('shows a period in the largest form unit that divides it', () => {
    expect(everyToForm(60_000)).toEqual({ count: '1', unit: 'minutes' });
    expect(everyToForm(7_200_000)).toEqual({ count: '2', unit: 'hours' });
    expect(everyToForm(90_000)).toEqual({ count: '90', unit: 'seconds' });
  });
});

describe('fieldOfPointer and formErrorsFromDetails', () => {
  it('maps the pointers the API names to the form fields', () => {
    expect(fieldOfPointer('/cron')).toEqual({ field: 'cron', rest: '' });
    expect(fieldOfPointer('/everyMs')).toEqual({ field: 'every', rest: '' });
    expect(fieldOfPointer('/target')).toEqual({ field: 'target', rest: '' });
    expect(fieldOfPointer('/target/agentId')).toEqual({ field: 'target', rest: '' });
    expect(fieldOfPointer('/target/workflowId')).toEqual({ field: 'target', rest: '' });
    expect(fieldOfPointer('/target/input')).toEqual({ field: 'input', rest: '' });
    expect(fieldOfPointer('/target/input/variables/x')).toEqual({ field: 'input', rest: '/variables/x' });
    expect(fieldOfPointer('/paused')).toBeNull();
    expect(fieldOfPointer(undefined)).toBeNull();
  });

  it('puts each message on its field, joins two on one, and keeps the rest apart', () => {
    const errors = formErrorsFromDetails([
      { field: '/cron', message: 'must have 5 fields (minute to weekday) or 6 (with seconds first)' },
      { field: '/target/input/expression', message: 'is required' },
      { field: '/target/input', message: 'must be an object' },
      { field: '/paused', message: 'must be a boolean' },
      { message: 'something else' },
    ]);
    expect(errors.fields).toEqual({
      cron: 'must have 5 fields (minute to weekday) or 6 (with seconds first)',
      input: 'expression: Enter a value; Must be an object',
    });
    expect(errors.other).toEqual(['/paused: must be a boolean', 'something else']);
  });

  it('names a field inside the input by its path, not its JSON pointer, in plain words', () => {
    const errors = formErrorsFromDetails([
      { field: '/target/input/variables/x', message: 'must be number' },
      { field: '/target/input/a~1b', message: 'must be >= 0' },
    ]);
    expect(errors.fields.input).toBe('variables.x: Must be a number; a/b: Must be at least 0');
    expect(errors.fields.input).not.toMatch(/\/target|\/input|\/variables/);
  });
});

describe('checkForm', () => {
  it('asks for a name, a target, a pattern and valid JSON before sending', () => {
    const errors = checkForm(emptyForm('UTC'), { ok: false, message: 'Line 1, column 2: Unexpected “}”' });
    expect(Object.keys(errors.fields).sort()).toEqual(['cron', 'input', 'name', 'target']);
    expect(errors.fields.input).toBe('Line 1, column 2: Unexpected “}”');
  });

  it('refuses a period under a second and a window that ends before it starts', () => {
    const form = {
      ...emptyForm('UTC'),
      name: 'x',
      agentId: AGENT,
      timing: 'every' as const,
      everyCount: '0.5',
      everyUnit: 'seconds' as const,
      startAt: '2030-01-02T10:00',
      endAt: '2030-01-01T10:00',
    };
    expect(checkForm(form, { ok: true }).fields).toEqual({
      every: 'At least 1 second',
      endAt: 'Must be after the start',
    });
    expect(checkForm({ ...form, everyCount: '-1' }, { ok: true }).fields.every).toBe('A positive number');
  });
});

describe('createBody and updateBody', () => {
  it('creates an every-minute schedule of an agent without the unset window', () => {
    const form = { ...emptyForm('Europe/Berlin'), name: ' Calc ', agentId: AGENT, timing: 'every' as const };
    expect(createBody({ ...form, everyCount: '1', everyUnit: 'minutes' }, { expression: '1+1' })).toEqual({
      name: 'Calc',
      target: { agentId: AGENT, input: { expression: '1+1' } },
      everyMs: 60_000,
      timezone: 'Europe/Berlin',
      overlap: 'allow',
    });
  });

  it('creates a cron schedule of a workflow with its window', () => {
    const form = {
      ...emptyForm('UTC'),
      name: 'Nightly',
      kind: 'workflow' as const,
      workflowId: WORKFLOW,
      cron: ' 0 2 * * * ',
      startAt: '2030-01-01T00:00',
      overlap: 'skip' as const,
    };
    const body = createBody(form, {});
    expect(body).toMatchObject({ target: { workflowId: WORKFLOW, input: {} }, cron: '0 2 * * *', overlap: 'skip' });
    expect(body.startAt).toBe(new Date('2030-01-01T00:00').toISOString());
    expect(body).not.toHaveProperty('everyMs');
    expect(body).not.toHaveProperty('endAt');
  });

  it('clears an emptied window bound when updating', () => {
    const body = updateBody({ ...formFromSchedule(schedule()), endAt: '' }, { expression: '2' });
    expect(body).toMatchObject({ cron: '0 9 * * 1-5', startAt: null, endAt: null });
  });
});

describe('formFromSchedule', () => {
  it('fills the form from a saved schedule', () => {
    const form = formFromSchedule(
      schedule({ cron: null, everyMs: 120_000, endAt: '2030-06-01T12:30:00.000Z', overlap: 'skip' }),
    );
    expect(form).toMatchObject({
      name: 'Morning report',
      kind: 'agent',
      agentId: AGENT,
      timing: 'every',
      everyCount: '2',
      everyUnit: 'minutes',
      overlap: 'skip',
      endAt: toLocalInput('2030-06-01T12:30:00.000Z'),
    });
    expect(JSON.parse(form.input)).toEqual({ expression: '1+2' });
  });
});

describe('lastTargetPath', () => {
  it('links a task, or a run under its workflow', () => {
    expect(lastTargetPath(schedule({ lastTargetId: TARGET }))).toBe(`/tasks/${TARGET}`);
    expect(
      lastTargetPath(
        schedule({
          target: { kind: 'workflow', agentId: null, workflowId: WORKFLOW, input: {} },
          lastTargetId: TARGET,
        }),
      ),
    ).toBe(`/workflows/${WORKFLOW}/runs/${TARGET}`);
    expect(lastTargetPath(schedule())).toBeNull();
  });
});

describe('timeZones', () => {
  it('starts with UTC and includes the zones asked for, once each', () => {
    const zones = timeZones('Europe/Berlin', 'Europe/Berlin', 'UTC');
    expect(zones[0]).toBe('UTC');
    expect(zones.filter((z) => z === 'Europe/Berlin')).toHaveLength(1);
    expect(zones.filter((z) => z === 'UTC')).toHaveLength(1);
  });
});

describe('list paging in the URL', () => {
  it('reads the page, defaulting to the first', () => {
    expect(listParamsFromSearch(new URLSearchParams('page=3'))).toEqual({ page: 3 });
    expect(listParamsFromSearch(new URLSearchParams('page=-2'))).toEqual({ page: 1 });
    expect(listParamsFromSearch(new URLSearchParams('page=abc'))).toEqual({ page: 1 });
    expect(listApiQuery({ page: 3 })).toEqual({ skip: 50, limit: 25 });
  });
});

describe('fire times', () => {
  it("are written in the schedule's time zone, named", () => {
    expect(fireTime('2026-12-07T08:00:00.000Z', 'Europe/Paris')).toBe('Mon, 7 Dec 2026, 09:00 (Europe/Paris)');
    expect(fireTime('2026-12-07T08:00:00.000Z', 'UTC')).toBe('Mon, 7 Dec 2026, 08:00 (UTC)');
    expect(fireTime('2026-12-07T08:00:00.000Z', 'Not/AZone')).toBe(
      'Mon, 7 Dec 2026, 08:00 (UTC; Not/AZone is unknown to this browser)',
    );
  });

  it('leave the list of those ahead once they pass', () => {
    const fires = ['2026-12-07T08:00:00.000Z', '2026-12-07T08:01:00.000Z', '2026-12-07T08:02:00.000Z'];
    expect(upcomingFires(fires, Date.parse('2026-12-07T07:59:00.000Z'))).toEqual(fires);
    expect(upcomingFires(fires, Date.parse('2026-12-07T08:01:00.000Z'))).toEqual([fires[2]]);
    expect(upcomingFires(fires, Date.parse('2026-12-07T09:00:00.000Z'))).toEqual([]);
  });
});

describe('formChanged', () => {
  it('says whether the dialog holds input that closing would lose', () => {
    const empty = emptyForm('UTC');
    expect(formChanged(empty, { ...empty })).toBe(false);
    expect(formChanged(empty, { ...empty, name: 'Nightly' })).toBe(true);
    expect(formChanged(empty, { ...empty, cron: '0 9 * * *' })).toBe(true);
    const saved = formFromSchedule(schedule());
    expect(formChanged(saved, formFromSchedule(schedule()))).toBe(false);
    expect(formChanged(saved, { ...saved, overlap: 'skip' })).toBe(true);
    expect(formChanged(saved, { ...saved, kind: 'workflow' })).toBe(true);
  });
});
