import { NO_OPTIONS, type TaskOptions } from './task-options';

/**
 * What the New task form holds, as the draft kept should the session end before it is sent (app/drafts.ts): the
 * agent, its input (as fields, or as typed JSON) and the options.
 */
export interface TaskDraft {
  agentId: string;
  formData: Record<string, unknown>;
  /** The input typed as JSON; null until something is typed. */
  typed: string | null;
  options: TaskOptions;
}

/** The New task form's draft key (app/drafts.ts). */
export const TASK_DRAFT_KEY = 'task:new';

/** The form as it opens: on `agentId` (from `?agent=`, or '' for none chosen), nothing else filled in. */
export function emptyTaskDraft(agentId: string): TaskDraft {
  return { agentId, formData: {}, typed: null, options: NO_OPTIONS };
}

/** The draft as the text kept (and compared with the form as it opened: a different one is unsent input). */
export function taskDraftText(draft: TaskDraft): string {
  return JSON.stringify([draft.agentId, draft.formData, draft.typed, draft.options]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The draft a kept text holds ({@link taskDraftText}), or `fallback` when it holds none. */
export function parseTaskDraft(text: string, fallback: TaskDraft): TaskDraft {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fallback;
  }
  if (!Array.isArray(value) || value.length !== 4) return fallback;
  const [agentId, formData, typed, options] = value as unknown[];
  if (typeof agentId !== 'string' || !isObject(formData) || !(typed === null || typeof typed === 'string'))
    return fallback;
  if (!isObject(options)) return fallback;
  return { agentId, formData, typed, options: { ...NO_OPTIONS, ...(options as Partial<TaskOptions>) } };
}
