import { fromLocalInput } from '../../app/local-time';

/** A new task's options as the form holds them: '' (or none) leaves the server's default. */
export interface TaskOptions {
  priority: number | '';
  maxAttempts: number | '';
  tags: string[];
  /** A `datetime-local` value: the task waits until then. */
  runAt: string;
}

export const NO_OPTIONS: TaskOptions = { priority: '', maxAttempts: '', tags: [], runAt: '' };

type OptionField = keyof TaskOptions;
export type OptionProblems = Partial<Record<OptionField, string>>;

/** The contract's tag: 1–64 letters, digits and `_ . : / -`, starting with a letter or digit. */
const TAG = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;
export const MAX_TAGS = 20;

/** What the form can tell before sending (the server checks again). */
export function optionProblems(options: TaskOptions): OptionProblems {
  const problems: OptionProblems = {};
  const bad = options.tags.filter((tag) => !TAG.test(tag));
  if (bad.length) {
    problems.tags = `Not a tag: ${bad.join(', ')} (1–64 letters, digits and _ . : / -, starting with a letter or digit)`;
  } else if (options.tags.length > MAX_TAGS) problems.tags = `At most ${MAX_TAGS} tags`;
  if (options.runAt && !fromLocalInput(options.runAt)) problems.runAt = 'Not a date and time';
  return problems;
}

/** The options for the request body: only those set. */
export function optionsBody(options: TaskOptions): {
  priority?: number;
  maxAttempts?: number;
  tags?: string[];
  runAt?: string;
} {
  const runAt = fromLocalInput(options.runAt);
  return {
    ...(options.priority !== '' ? { priority: options.priority } : {}),
    ...(options.maxAttempts !== '' ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.tags.length ? { tags: options.tags } : {}),
    ...(runAt ? { runAt } : {}),
  };
}

/**
 * The server's problems with the options, on their fields (`/tags/2` on the tags); the rest are left for the form
 * to show otherwise.
 */
export function optionErrors<D extends { field?: string; message: string }>(
  details: readonly D[],
): { fields: OptionProblems; rest: D[] } {
  const fields: OptionProblems = {};
  const rest: D[] = [];
  for (const detail of details) {
    const field = detail.field?.split('/')[1] as OptionField | undefined;
    if (field && field in NO_OPTIONS)
      fields[field] = fields[field] ? `${fields[field]}; ${detail.message}` : detail.message;
    else rest.push(detail);
  }
  return { fields, rest };
}
