import { detailsOnFields } from '../../api/errors';
import type { components } from '../../api/schema';
import { agentNameProblem } from './agent-name';

type Agent = components['schemas']['AgentDto'];
export type SettingsChange = components['schemas']['UpdateAgentDto'];

/** The settings form as typed: numbers may be '' while a field is empty. */
export interface SettingsDraft {
  name: string;
  description: string;
  concurrency: number | string;
  /** '' for no limit per key. */
  concurrencyPerKey: number | string;
  timeoutSeconds: number | string;
}

export function settingsDraft(agent: Agent): SettingsDraft {
  return {
    name: agent.name,
    description: agent.description ?? '',
    concurrency: agent.concurrency,
    concurrencyPerKey: agent.concurrencyPerKey ?? '',
    timeoutSeconds: agent.timeoutMs / 1000,
  };
}

/** Whether anything was typed over the agent's settings (right or wrong: a wrong value is reported on save). */
export function draftChanged(agent: Agent, draft: SettingsDraft): boolean {
  const saved = settingsDraft(agent);
  return (Object.keys(saved) as (keyof SettingsDraft)[]).some((key) => saved[key] !== draft[key]);
}

const wholeIn = (value: number | string, min: number, max: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

type Field = keyof SettingsDraft;
export type Problems = Partial<Record<Field, string>>;

/** The body's property each field sets, as the server's `details[].field` pointers name it. */
const POINTERS: Record<Field, string> = {
  name: '/name',
  description: '/description',
  concurrency: '/concurrency',
  concurrencyPerKey: '/concurrencyPerKey',
  timeoutSeconds: '/timeoutMs',
};

/**
 * The fields a refusal of an agent's create or change names (null when it is not about the values sent): a
 * validation's details, or a conflict's when it names fields (its name is taken); a conflict naming none (one
 * agent more than a user may have) is about no field.
 */
export function agentRefusalDetails(
  error: { code: string; message: string; details: readonly { field?: string; message: string }[] } | null,
): readonly { field?: string; message: string }[] | null {
  if (error?.code === 'VALIDATION_FAILED') return error.details;
  if (error?.code === 'CONFLICT') return error.details.length ? error.details : null;
  return null;
}

/** The server's refusal on the form's fields, and what concerns none of them. */
export function settingsRefusal(details: readonly { field?: string; message: string }[]) {
  return detailsOnFields(details, (pointer) => {
    const field = (Object.keys(POINTERS) as Field[]).find((f) => POINTERS[f] === pointer);
    return field ? { field, rest: '' } : null;
  });
}

/**
 * What the form changes, as the `PATCH /agents/:id` body (only what differs from `agent`), and what is wrong
 * with it, by field, worded as the server would say it.
 */
export function settingsChange(agent: Agent, draft: SettingsDraft): { change: SettingsChange; problems: Problems } {
  const change: SettingsChange = {};
  const problems: Problems = {};
  const name = draft.name.trim();
  const nameProblem = agentNameProblem(name);
  if (nameProblem) problems.name = nameProblem;
  else if (name !== agent.name) change.name = name;

  const description = draft.description.trim();
  if (description.length > 2000) problems.description = 'must be at most 2,000 characters';
  // An emptied description is removed (null).
  else if ((description || null) !== agent.description) change.description = description || null;

  if (!wholeIn(draft.concurrency, 1, 1000)) problems.concurrency = 'must be a whole number from 1 to 1,000';
  else if (draft.concurrency !== agent.concurrency) change.concurrency = draft.concurrency as number;

  const perKey = draft.concurrencyPerKey === '' ? null : draft.concurrencyPerKey;
  if (perKey !== null && !wholeIn(perKey, 1, 1000))
    problems.concurrencyPerKey = 'must be a whole number from 1 to 1,000, or empty for no limit';
  else if (perKey !== agent.concurrencyPerKey) change.concurrencyPerKey = perKey as number | null;

  const seconds = draft.timeoutSeconds;
  const timeoutMs = typeof seconds === 'number' ? Math.round(seconds * 1000) : NaN;
  if (!(timeoutMs >= 100 && timeoutMs <= 3_600_000)) problems.timeoutSeconds = 'must be from 0.1 to 3,600 seconds';
  else if (timeoutMs !== agent.timeoutMs) change.timeoutMs = timeoutMs;

  return { change, problems };
}
