import type { AppConfig } from '../config/app-config';

export type WebhookSettings = AppConfig['webhooks'];

/** How one attempt ended, as the rules see it. */
export type AttemptResult = { ok: true } | { ok: false; retryable: boolean };

/**
 * The Standard Webhooks reading of an answer: 2xx delivers; 408, 429 and 5xx are worth another attempt;
 * any other status (a 3xx too: redirects are not followed) fails the delivery at once.
 */
export function resultOfStatus(status: number): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, retryable: status === 408 || status === 429 || status >= 500 };
}

/** What happens after an attempt: the delivery is done, or it is attempted again after `delayMs`. */
export type NextStep = { status: 'succeeded' | 'failed' } | { status: 'pending'; delayMs: number };

/**
 * After attempt `attempt` (from 1): retried with exponential backoff (the first retry after `backoffMs`,
 * then doubling; a longer Retry-After wins) while attempts remain.
 */
export function nextStep(
  result: AttemptResult,
  attempt: number,
  settings: Pick<WebhookSettings, 'maxAttempts' | 'backoffMs'>,
  retryAfterMs?: number,
): NextStep {
  if (result.ok) return { status: 'succeeded' };
  if (!result.retryable || attempt >= settings.maxAttempts) return { status: 'failed' };
  const backoff = settings.backoffMs * 2 ** (attempt - 1);
  return { status: 'pending', delayMs: Math.max(backoff, retryAfterMs ?? 0) };
}

/** An endpoint's failure record, as the disabling rule reads it. */
export interface FailureRecord {
  consecutiveFailures: number;
  failingSince: Date | null;
}

/**
 * Why a failing endpoint is to be disabled, if it is: too many deliveries failed in a row, or no success
 * for too long.
 */
export function disableReason(
  record: FailureRecord,
  now: Date,
  settings: Pick<WebhookSettings, 'disableAfterFailures' | 'disableAfterMs'>,
): string | undefined {
  if (record.consecutiveFailures >= settings.disableAfterFailures)
    return `${record.consecutiveFailures} deliveries failed in a row`;
  if (record.failingSince && now.getTime() - record.failingSince.getTime() >= settings.disableAfterMs)
    return `failing since ${record.failingSince.toISOString()} without a success`;
  return undefined;
}
