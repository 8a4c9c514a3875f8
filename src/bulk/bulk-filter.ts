import type { ErrorDetail } from '../common/errors/app.error';
import { CANCELLABLE_STATUSES, RETRYABLE_STATUSES } from '../tasks/task';
import type { BulkAction, BulkKind } from './entities/bulk-operation.entity';

/** A bulk operation's filter as stored: the list filter's fields, dates as ISO text, plus the caller's scope. */
export type StoredFilter = Record<string, unknown> & { createdBy?: string };

/** The statuses each action applies to, by kind: the same rules as one item's retry and cancel. */
export const APPLICABLE_STATUSES: Record<BulkKind, Record<BulkAction, readonly string[]>> = {
  tasks: { retry: RETRYABLE_STATUSES, cancel: CANCELLABLE_STATUSES },
  'workflow-runs': { retry: ['failed', 'cancelled'], cancel: ['running'] },
};

/** Fields that only pick by status or scope: a filter with nothing else reaches everything of those. */
const UNNARROWING = new Set(['status', 'createdBy']);

/** Whether a filter field's value picks anything out: an empty metadata filter `{}` does not. */
function narrowsBy(value: unknown): boolean {
  if (value === undefined) return false;
  return typeof value !== 'object' || value === null || Object.keys(value).length > 0;
}

/**
 * Every problem of a bulk request at once, as JSON pointers into its body: a status the action does not apply
 * to, an empty time range, and a filter that narrows by nothing but status without `all: true`, which would
 * otherwise retry or cancel everything the caller can see by mistake.
 */
export function filterProblems(
  kind: BulkKind,
  action: BulkAction,
  filter: StoredFilter,
  all: boolean | undefined,
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const applicable = APPLICABLE_STATUSES[kind][action];
  if (typeof filter.status === 'string' && !applicable.includes(filter.status))
    problems.push({ field: '/filter/status', message: `${action} applies to ${applicable.join(', ')} only` });
  const after = filter.createdAfter === undefined ? undefined : Date.parse(String(filter.createdAfter));
  const before = filter.createdBefore === undefined ? undefined : Date.parse(String(filter.createdBefore));
  if (after !== undefined && before !== undefined && after > before)
    problems.push({ field: '/filter/createdBefore', message: 'must not be before createdAfter' });
  const narrows = Object.entries(filter).some(([key, value]) => !UNNARROWING.has(key) && narrowsBy(value));
  if (!narrows && all !== true)
    problems.push({
      field: '/all',
      message: 'the filter narrows by nothing but status: send all: true to act on every match',
    });
  return problems;
}

/** The stored time bounds as dates, the upper one no later than the operation's snapshot. */
export function timeBounds(filter: StoredFilter, snapshotAt: Date): { createdAfter?: Date; createdBefore: Date } {
  const before = filter.createdBefore === undefined ? undefined : new Date(String(filter.createdBefore));
  return {
    createdAfter: filter.createdAfter === undefined ? undefined : new Date(String(filter.createdAfter)),
    createdBefore: before && before < snapshotAt ? before : snapshotAt,
  };
}

/** A filter's string field, when set. */
export function text(filter: StoredFilter, key: string): string | undefined {
  const value = filter[key];
  return typeof value === 'string' ? value : undefined;
}
