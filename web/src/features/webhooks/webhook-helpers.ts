/**
 * The Webhooks page's pure logic: the events in words, the form to and from the API's body, the server's
 * refusals (`details[].field` JSON pointers) on the fields they name, an endpoint's state and a delivery's
 * outcome in words, and the paging in the URL.
 */
import { detailsOnFields } from '../../api/errors';
import type { components } from '../../api/schema';

export type Webhook = components['schemas']['WebhookDto'];
export type CreatedWebhook = components['schemas']['CreatedWebhookDto'];
export type CreateWebhookBody = components['schemas']['CreateWebhookDto'];
export type UpdateWebhookBody = components['schemas']['UpdateWebhookDto'];
export type Delivery = components['schemas']['WebhookDeliveryDto'];
export type WebhookEvent = Webhook['events'][number];

export const WEBHOOKS_PAGE_SIZE = 10;
export const DELIVERIES_PAGE_SIZE = 25;

/** Every event an endpoint can subscribe to, in the API's order, with what it means. */
export const WEBHOOK_EVENTS: readonly { value: WebhookEvent; label: string }[] = [
  { value: 'task.succeeded', label: 'A task succeeded' },
  { value: 'task.failed', label: 'A task failed (after its last attempt)' },
  { value: 'task.cancelled', label: 'A task was cancelled' },
  { value: 'run.succeeded', label: 'A workflow run succeeded' },
  { value: 'run.failed', label: 'A workflow run failed' },
  { value: 'run.cancelled', label: 'A workflow run was cancelled' },
];

export interface WebhookForm {
  url: string;
  events: WebhookEvent[];
}

export type FormField = 'url' | 'events';

export interface FormErrors {
  fields: Partial<Record<FormField, string>>;
  /** Messages of fields the form does not have. */
  other: string[];
}

export function emptyForm(): WebhookForm {
  return { url: '', events: ['task.succeeded', 'task.failed'] };
}

export function formFromWebhook(webhook: Pick<Webhook, 'url' | 'events'>): WebhookForm {
  return { url: webhook.url, events: [...webhook.events] };
}

/** The events checked, in the API's order whatever order they were clicked in; unknown strings are dropped. */
export function chosenEvents(values: readonly string[]): WebhookEvent[] {
  const chosen = new Set(values);
  return WEBHOOK_EVENTS.map((e) => e.value).filter((e) => chosen.has(e));
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

/** Enabled, failing (enabled with failures in a row) or disabled, as the list shows it in a word. */
export function endpointState(webhook: Pick<Webhook, 'enabled' | 'consecutiveFailures'>): EndpointState {
  if (!webhook.enabled) return 'disabled';
  return webhook.consecutiveFailures > 0 ? 'failing' : 'enabled';
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

export function pageQuery(page: number, size: number): { skip: number; limit: number } {
  return { skip: (page - 1) * size, limit: size };
}
