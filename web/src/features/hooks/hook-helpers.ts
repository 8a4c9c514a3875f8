/**
 * The Inbound hooks page's pure logic: the form to and from the API's body, the server's refusals on the fields they
 * name, and how an outside system calls a hook.
 */
import { detailsOnFields } from '../../api/errors';
import type { components } from '../../api/schema';
import type { FieldErrors } from '../../components/use-dialog-submit';

export type Hook = components['schemas']['HookDto'];
export type CreatedHook = components['schemas']['CreatedHookDto'];
export type CreateHookBody = components['schemas']['CreateHookDto'];
export type UpdateHookBody = components['schemas']['UpdateHookDto'];
export type HookAuth = Hook['auth'];

export const HOOKS_PAGE_SIZE = 10;
export const DEFAULT_RATE_LIMIT = 60;

export interface HookForm {
  name: string;
  kind: 'agent' | 'workflow';
  agentId: string;
  workflowId: string;
  auth: HookAuth;
  /** The input template as JSON text; empty: the request body is the input. */
  inputTemplate: string;
  rateLimitPerMinute: string;
}

export type FormField = 'name' | 'target' | 'auth' | 'inputTemplate' | 'rateLimitPerMinute';
export type FormErrors = FieldErrors<FormField>;

export function emptyForm(): HookForm {
  return {
    name: '',
    kind: 'agent',
    agentId: '',
    workflowId: '',
    auth: 'hmac',
    inputTemplate: '',
    rateLimitPerMinute: String(DEFAULT_RATE_LIMIT),
  };
}

export function formFromHook(hook: Hook): HookForm {
  return {
    name: hook.name,
    kind: hook.target.workflowId ? 'workflow' : 'agent',
    agentId: hook.target.agentId ?? '',
    workflowId: hook.target.workflowId ?? '',
    auth: hook.auth,
    inputTemplate: hook.inputTemplate === null ? '' : JSON.stringify(hook.inputTemplate, null, 2),
    rateLimitPerMinute: String(hook.rateLimitPerMinute),
  };
}

/** Whether the dialog's form holds input that saving would send and closing would lose. */
export function formChanged(initial: HookForm, form: HookForm): boolean {
  return (Object.keys(initial) as (keyof HookForm)[]).some((key) => initial[key] !== form[key]);
}

/** The template as the API takes it: undefined when none is given, or the problem with its JSON. */
function template(form: HookForm): { ok: true; value: CreateHookBody['inputTemplate'] } | { ok: false } {
  if (!form.inputTemplate.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(form.inputTemplate) as CreateHookBody['inputTemplate'] };
  } catch {
    return { ok: false };
  }
}

/** What the form can tell before sending (the server checks everything again). */
export function checkForm(form: HookForm): FormErrors {
  const fields: FormErrors['fields'] = {};
  if (!form.name.trim()) fields.name = 'Give it a name';
  if (form.kind === 'agent' ? !form.agentId : !form.workflowId) {
    fields.target = form.kind === 'agent' ? 'Choose an agent' : 'Choose a workflow';
  }
  if (!template(form).ok) fields.inputTemplate = 'Not valid JSON';
  const limit = Number(form.rateLimitPerMinute);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    fields.rateLimitPerMinute = 'A whole number, 1 to 10,000';
  return { fields, other: [] };
}

export function createBody(form: HookForm): CreateHookBody {
  const parsed = template(form);
  return {
    name: form.name.trim(),
    target: form.kind === 'agent' ? { agentId: form.agentId } : { workflowId: form.workflowId },
    auth: form.auth,
    ...(parsed.ok && parsed.value !== undefined ? { inputTemplate: parsed.value } : {}),
    rateLimitPerMinute: Number(form.rateLimitPerMinute),
  };
}

/** The changes: the target and the kind of secret are fixed; an emptied template is removed (null). */
export function updateBody(form: HookForm): UpdateHookBody {
  const parsed = template(form);
  return {
    name: form.name.trim(),
    inputTemplate: parsed.ok && parsed.value !== undefined ? parsed.value : null,
    rateLimitPerMinute: Number(form.rateLimitPerMinute),
  };
}

/** The field a server refusal's JSON pointer names (`/target/agentId`, `/inputTemplate/a/b`). */
export function fieldOfPointer(pointer: string | undefined): { field: FormField; rest: string } | null {
  const [, first, ...rest] = (pointer ?? '').split('/');
  const fields: readonly FormField[] = ['name', 'target', 'auth', 'inputTemplate', 'rateLimitPerMinute'];
  const field = fields.find((f) => f === first);
  return field ? { field, rest: rest.length ? `/${rest.join('/')}` : '' } : null;
}

export function formErrorsFromDetails(details: readonly { field?: string; message: string }[]): FormErrors {
  return detailsOnFields(details, fieldOfPointer);
}

/** The hook's full address, from its path (`/api/v1/hooks/<id>`) and where the console is served. */
export function hookAddress(hook: Pick<Hook, 'url'>, origin: string): string {
  return new URL(hook.url, origin).toString();
}

/** How an outside system calls the hook, as a shell command (the secret left as a placeholder). */
export function callExample(hook: Pick<Hook, 'url' | 'auth'>, origin: string): string {
  const url = hookAddress(hook, origin);
  if (hook.auth === 'bearer') {
    return [
      `curl -X POST '${url}' \\`,
      `  -H 'Authorization: Bearer <token>' \\`,
      `  -H 'Idempotency-Key: <a unique id>' \\`,
      `  -H 'Content-Type: application/json' -d '{"example": true}'`,
    ].join('\n');
  }
  return [
    `# Signed as Standard Webhooks: webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`,
    `curl -X POST '${url}' \\`,
    `  -H 'webhook-id: <a unique id>' -H 'webhook-timestamp: <unix seconds>' \\`,
    `  -H 'webhook-signature: v1,<signature>' \\`,
    `  -H 'Content-Type: application/json' -d '{"example": true}'`,
  ].join('\n');
}
