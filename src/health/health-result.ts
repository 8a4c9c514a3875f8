import { Logger, ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';

/** How long a dependency's check may take: one that does not answer (a frozen server holds its connection open) is down. */
export const CHECK_TIMEOUT_MS = 1500;

/** Why a check failed, in the platform's own words: shown as they are (they name no address, host or user). */
const OWN_MESSAGES = [
  /^timeout of \d+ms exceeded$/,
  /^connection is \w+$/,
  /^migrations are pending: run npm run migration:run$/,
];
/** A system error's code: `connect ECONNREFUSED 10.0.0.5:5432` is shown as `ECONNREFUSED`. */
const SYSTEM_ERROR_CODE = /\bE[A-Z]{2,}\b/;

/**
 * What a failed check may say in a health answer, which anyone may read: the platform's own words, a system
 * error's code, or "failed"; never a server's address or name, nor a database's or a user's (a driver's message
 * can hold them). The whole message goes to the log.
 */
export function publicReason(message: string): string {
  if (OWN_MESSAGES.some((own) => own.test(message))) return message;
  return SYSTEM_ERROR_CODE.exec(message)?.[0] ?? 'failed (the log says why)';
}

/** Terminus's result of `checks`, and whether every one is up (it throws a 503 with the same result when not). */
export async function healthResult(
  health: HealthCheckService,
  checks: HealthIndicatorFunction[],
  logger = new Logger('Health'),
): Promise<{ ok: boolean; result: HealthCheckResult }> {
  try {
    return { ok: true, result: await health.check(checks) };
  } catch (err) {
    if (!(err instanceof ServiceUnavailableException)) throw err;
    return { ok: false, result: withPublicReasons(err.getResponse() as HealthCheckResult, logger) };
  }
}

function withPublicReasons(result: HealthCheckResult, logger: Logger): HealthCheckResult {
  const said = new Map<string, string>();
  const clean = <C extends HealthCheckResult['info']>(components: C): C =>
    components &&
    (Object.fromEntries(
      Object.entries(components).map(([key, state]) => {
        const message: unknown = state?.message;
        if (!state || state.status === 'up' || typeof message !== 'string') return [key, state];
        if (!said.has(key)) said.set(key, message);
        return [key, { ...state, message: publicReason(message) }];
      }),
    ) as C);
  const cleaned = { ...result, info: clean(result.info), error: clean(result.error), details: clean(result.details) };
  for (const [key, message] of said) logger.warn(`health: ${key} is down: ${message}`);
  return cleaned;
}
