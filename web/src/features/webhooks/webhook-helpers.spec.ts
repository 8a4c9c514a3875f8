import { WEBHOOK_EVENTS as API_WEBHOOK_EVENTS } from '../../../../src/webhooks/webhook-events';
import {
  type Webhook,
  checkForm,
  chosenEvents,
  createBody,
  describeResponse,
  disabledWhy,
  emptyForm,
  endpointState,
  failingInWords,
  WEBHOOK_EVENTS,
  unknownEvents,
  formChanged,
  formErrorsFromDetails,
  formFromWebhook,
  formatDuration,
  hasPending,
  resourcePath,
  updateBody,
} from './webhook-helpers';

const ID = '11111111-1111-4111-8111-111111111111';

function webhook(overrides: Partial<Webhook> = {}): Webhook {
  return {
    id: ID,
    url: 'https://example.com/hooks',
    events: ['task.succeeded', 'task.failed'],
    enabled: true,
    disabledReason: null,
    consecutiveFailures: 0,
    failingSince: null,
    createdBy: '22222222-2222-4222-8222-222222222222',
    changedWithApiKeyId: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('chosenEvents', () => {
  it('keeps the API’s order, and events the form does not know after them', () => {
    expect(chosenEvents(['run.failed', 'task.succeeded', 'task.later', 'task.cancelled'])).toEqual([
      'task.succeeded',
      'task.cancelled',
      'run.failed',
      'task.later',
    ]);
  });

  it('offers every event the API has, in its order, task.expired included', () => {
    expect(WEBHOOK_EVENTS.map((e) => e.value)).toEqual([...API_WEBHOOK_EVENTS]);
    expect(WEBHOOK_EVENTS.map((e) => e.value)).toContain('task.expired');
    expect(chosenEvents(['task.expired', 'task.failed'])).toEqual(['task.failed', 'task.expired']);
  });

  it('editing an endpoint keeps every event it is subscribed to', () => {
    const saved = webhook({ events: ['task.failed', 'task.expired'] });
    const form = formFromWebhook(saved);
    // The user checks one more event: what the checkbox group hands back is the old value plus it.
    const events = chosenEvents([...form.events, 'run.failed']);
    expect(updateBody({ ...form, events }, saved)).toEqual({ events: ['task.failed', 'task.expired', 'run.failed'] });
    expect(unknownEvents(['task.failed', 'task.later'])).toEqual(['task.later']);
  });
});

describe('the form', () => {
  it('asks for a URL and an event before sending', () => {
    expect(Object.keys(checkForm({ url: ' ', events: [] }).fields).sort()).toEqual(['events', 'url']);
    expect(checkForm({ url: `https://x/${'a'.repeat(2048)}`, events: ['task.failed'] }).fields).toEqual({
      url: 'At most 2048 characters',
    });
    expect(checkForm(emptyForm()).fields).toEqual({ url: expect.stringContaining('Give the URL') });
  });

  it('creates with the trimmed URL and sends only what changed', () => {
    expect(createBody({ url: ' https://a.test/h ', events: ['run.succeeded'] })).toEqual({
      url: 'https://a.test/h',
      events: ['run.succeeded'],
    });
    const saved = webhook();
    expect(updateBody(formFromWebhook(saved), saved)).toEqual({});
    expect(updateBody({ url: saved.url, events: ['task.failed'] }, saved)).toEqual({ events: ['task.failed'] });
    expect(updateBody({ url: 'https://b.test', events: saved.events }, saved)).toEqual({ url: 'https://b.test' });
  });

  it('says whether the dialog holds input that closing would lose', () => {
    const empty = emptyForm();
    expect(formChanged(empty, { ...empty })).toBe(false);
    expect(formChanged(empty, { ...empty, url: 'h' })).toBe(true);
    expect(formChanged(empty, { ...empty, events: ['task.succeeded'] })).toBe(true);
    expect(formChanged(empty, { ...empty, events: [...empty.events, 'run.failed'] })).toBe(true);
    const saved = formFromWebhook(webhook());
    expect(formChanged(saved, formFromWebhook(webhook()))).toBe(false);
    // Unchecked and checked again: the same events, in the API's order.
    expect(formChanged(saved, { ...saved, events: chosenEvents([...saved.events].reverse()) })).toBe(false);
  });

  it('puts the server’s refusals on the fields they name', () => {
    expect(
      formErrorsFromDetails([
        { field: '/url', message: 'url must be a URL address' },
        { field: '/url', message: 'must resolve to a public address' },
        { field: '/events/1', message: 'each value in events must be one of the following values' },
        { field: '/enabled', message: 'must be a boolean' },
        { message: 'something else' },
      ]),
    ).toEqual({
      fields: {
        url: 'url must be a URL address; must resolve to a public address',
        events: 'each value in events must be one of the following values',
      },
      other: ['/enabled: must be a boolean', 'something else'],
    });
  });
});

describe('an endpoint’s state', () => {
  it('is enabled, failing or disabled, with the reason', () => {
    expect(endpointState(webhook())).toBe('enabled');
    expect(endpointState(webhook({ consecutiveFailures: 3, failingSince: '2025-01-02T00:00:00.000Z' }))).toBe(
      'failing',
    );
    expect(endpointState(webhook({ enabled: false, consecutiveFailures: 20 }))).toBe('disabled');
    expect(disabledWhy(webhook())).toBeNull();
    expect(disabledWhy(webhook({ enabled: false, disabledReason: '20 deliveries failed in a row' }))).toBe(
      '20 deliveries failed in a row',
    );
    expect(disabledWhy(webhook({ enabled: false }))).toBe('Turned off by a user');
  });

  it('is failing while a delivery is retried, before any delivery has given up', () => {
    const retrying = webhook({ consecutiveFailures: 0, failingSince: '2025-01-02T00:00:00.000Z' });
    expect(endpointState(retrying)).toBe('failing');
    expect(failingInWords(retrying)).toBe('a delivery is being retried');
    expect(failingInWords(webhook({ consecutiveFailures: 1 }))).toBe('1 delivery failed in a row');
    expect(failingInWords(webhook({ consecutiveFailures: 4 }))).toBe('4 deliveries failed in a row');
  });
});

describe('deliveries in words', () => {
  it('says durations, answers and where the task is', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(42.4)).toBe('42 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(describeResponse(null)).toBe('no answer');
    expect(describeResponse(503)).toBe('503');
    expect(resourcePath({ eventType: 'task.failed', resourceId: ID })).toBe(`/tasks/${ID}`);
    expect(resourcePath({ eventType: 'run.failed', resourceId: ID })).toBeNull();
    expect(hasPending([{ status: 'succeeded' }, { status: 'pending' }])).toBe(true);
    expect(hasPending([{ status: 'failed' }])).toBe(false);
  });
});
