import type { ErrorDetail } from '../common/errors/app.error';

/** The longest `ttlMs` a submission may ask for: 30 days. */
export const MAX_TTL_MS = 30 * 24 * 3600 * 1000;

/** What of a submission decides its expiry. */
export interface ExpiryFields {
  ttlMs?: number;
  expireAt?: Date;
  runAt?: Date;
}

/**
 * When a task submitted at `now` expires (null: never), or why the submission's expiry is refused: `ttlMs`
 * and `expireAt` together, an `expireAt` already past, or an expiry no later than the task's `runAt` (it could
 * never start). Problems are named under `base` (`/tasks/3`).
 */
export function expiryOf(fields: ExpiryFields, now: Date, base = ''): { expireAt: Date | null } | ErrorDetail[] {
  const { ttlMs, expireAt, runAt } = fields;
  if (ttlMs !== undefined && expireAt !== undefined)
    return [{ field: `${base}/expireAt`, message: 'give either ttlMs or expireAt, not both' }];
  const at = expireAt ?? (ttlMs !== undefined ? new Date(now.getTime() + ttlMs) : null);
  if (!at) return { expireAt: null };
  const field = `${base}/${expireAt ? 'expireAt' : 'ttlMs'}`;
  if (expireAt && at.getTime() <= now.getTime()) return [{ field, message: 'must be in the future' }];
  if (runAt && at.getTime() <= runAt.getTime())
    return [{ field, message: 'must end after runAt: the task could never start' }];
  return { expireAt: at };
}
