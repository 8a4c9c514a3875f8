/**
 * The Webhooks page's pure logic: the events in words, the form to and from the API's body, the server's
 * refusals (`details[].field` JSON pointers) on the fields they name, an endpoint's state and a delivery's
 * outcome in words, and the paging in the URL.
 */
import { detailsOnFields } from '../../api/errors';
import type { components } from '../../api/schema';
import type { FieldErrors } from '../../components/use-dialog-submit';

export type Webhook = components['schemas']['WebhookDto'];
export type CreatedWebhook = components['schemas']['CreatedWebhookDto'];
export type CreateWebhookBody = components['schemas']['CreateWebhookDto'];
export type UpdateWebhookBody = components['schemas']['UpdateWebhookDto'];
export type Delivery = components['schemas']['WebhookDeliveryDto'];
export type WebhookEvent = Webhook['events'][number];

export const WEBHOOKS_PAGE_SIZE = 10;
export const DELIVERIES_PAGE_SIZE = 25;

/**
 * What each event an endpoint can subscribe to means, in the API's order. Typed by the generated API types: an
 * event the API adds and this list lacks (or one it drops) fails the type check, so the form cannot fall behind.
 */
const EVENT_LABELS: Record<WebhookEvent, string> = {
  'task.succeeded': 'A task succeeded',
  'task.failed': 'A task failed (after its last attempt)',
  'task.cancelled': 'A task was cancelled',
  'task.expired': 'A task expired: still queued at its expiry time, it never ran',
  'run.succeeded': 'A workflow run succeeded',
  'run.failed': 'A workflow run failed',
  'run.cancelled': 'A workflow run was cancelled',
};

/** Every event an endpoint can subscribe to, in the API's order, with what it means. */
export const WEBHOOK_EVENTS: readonly { value: WebhookEvent; label: string }[] = Object.entries(EVENT_LABELS).map(
  ([value, label]) => ({ value: value as WebhookEvent, label }),
);

export interface WebhookForm {
  url: string;
  events: WebhookEvent[];
}

export type FormField = 'url' | 'events';

export type FormErrors = FieldErrors<FormField>;

export function emptyForm(): WebhookForm {
  return { url: '', events: ['task.succeeded', 'task.failed'] };
}

export function formFromWebhook(webhook: Pick<Webhook, 'url' | 'events'>): WebhookForm {
  return { url: webhook.url, events: [...webhook.events] };
}

/**
 * Whether the dialog's form holds input that saving would send and closing would lose: another URL, or another
 * set of events (in whatever order they were checked).
 */
export function formChanged(initial: WebhookForm, form: WebhookForm): boolean {
  if (initial.url !== form.url) return true;
  const events = new Set<string>(form.events);
  return events.size !== new Set(initial.events).size || initial.events.some((event) => !events.has(event));
}

/**
 * The events checked, in the API's order whatever order they were clicked in; events this console does not know
 * (an endpoint subscribed to them through the API) are kept after them, so saving the form does not drop them.
 */
export function chosenEvents(values: readonly string[]): WebhookEvent[] {
  const chosen = new Set(values);
  const known = WEBHOOK_EVENTS.map((e) => e.value);
  const unknown = [...chosen].filter((e) => !(known as readonly string[]).includes(e)) as WebhookEvent[];
  return [...known.filter((e) => chosen.has(e)), ...unknown];
}

/** Events an endpoint is subscribed to that the form has no checkbox for: shown as checkboxes of their own. */
export function unknownEvents(events: readonly string[]): string[] {
  return events.filter((e) => !WEBHOOK_EVENTS.some((known) => known.value === e));
}

/** `/url` → url; `/events` and `/events/2` → events; anything else is not on the form. */
export function fieldOfPointer(pointer: string | undefined): FormField | null {
  const top = pointer?.split('/')[1];
  return top === 'url' || top === 'events' ? top : null;
}

/** The server's `details` on the form's fields; two messages on one field are joined. */
export function formErrorsFromDetails(details: readonly { field?: string; message: string }[]): FormErrors {
  return detailsOnFields(details, (pointer) => {
    const field = fieldOfPointer(pointer);
    return field && { field, rest: '' };
  });
}

/**
 * What the form can tell before it is sent: a URL is given, an event is chosen. The server checks the rest
 * (the URL's form and scheme, and where it resolves to).
 */
export function checkForm(form: WebhookForm): FormErrors {
  const fields: FormErrors['fields'] = {};
  if (!form.url.trim()) fields.url = 'Give the URL the events are sent to, e.g. https://example.com/hooks/ymera';
  else if (form.url.trim().length > 2048) fields.url = 'At most 2048 characters';
  if (form.events.length === 0) fields.events = 'Choose at least one event';
  return { fields, other: [] };
}

export function createBody(form: WebhookForm): CreateWebhookBody {
  return { url: form.url.trim(), events: [...form.events] };
}

/** Only what changed is sent: an unchanged URL is not checked again. */
export function updateBody(form: WebhookForm, webhook: Pick<Webhook, 'url' | 'events'>): UpdateWebhookBody {
  const body: UpdateWebhookBody = {};
  const url = form.url.trim();
  if (url !== webhook.url) body.url = url;
  if (form.events.join() !== webhook.events.join()) body.events = [...form.events];
  return body;
}

export type EndpointState = 'enabled' | 'disabled' | 'failing';

/**
 * Enabled, failing or disabled, as the list shows it in a word. Failing is any failure since the last success:
 * deliveries failed in a row, or one still being retried (`failingSince` is set from its first failed attempt,
 * while `consecutiveFailures` counts only deliveries that have given up).
 */
export function endpointState(
  webhook: Pick<Webhook, 'enabled' | 'consecutiveFailures' | 'failingSince'>,
): EndpointState {
  if (!webhook.enabled) return 'disabled';
  return webhook.consecutiveFailures > 0 || webhook.failingSince !== null ? 'failing' : 'enabled';
}

/** "3 deliveries failed in a row", or, while no failing delivery has given up yet, that one is retried. */
export function failingInWords(webhook: Pick<Webhook, 'consecutiveFailures'>): string {
  const n = webhook.consecutiveFailures;
  if (n === 0) return 'a delivery is being retried';
  return `${n} ${n === 1 ? 'delivery' : 'deliveries'} failed in a row`;
}

/** Why an endpoint is disabled, in a sentence: the platform's reason, or that someone turned it off. */
export function disabledWhy(webhook: Pick<Webhook, 'enabled' | 'disabledReason'>): string | null {
  if (webhook.enabled) return null;
  return webhook.disabledReason ?? 'Turned off by a user';
}

/** "850 ms", "12.4 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** "200", or "no answer" when none came (a timeout, a refused connection). */
export function describeResponse(code: number | null): string {
  return code === null ? 'no answer' : String(code);
}

/** Where the task a delivery is about is shown (runs are reached through their workflow, which is not known here). */
export function resourcePath(delivery: Pick<Delivery, 'eventType' | 'resourceId'>): string | null {
  return delivery.eventType.startsWith('task.') ? `/tasks/${delivery.resourceId}` : null;
}

/** A pending delivery moves on by itself: its log is read again while one is. */
export function hasPending(deliveries: readonly Pick<Delivery, 'status'>[]): boolean {
  return deliveries.some((d) => d.status === 'pending');
}
