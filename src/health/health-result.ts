import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';

/** How long a dependency's check may take: one that does not answer (a frozen server holds its connection open) is down. */
export const CHECK_TIMEOUT_MS = 1500;

/** Terminus's result of `checks`, and whether every one is up (it throws a 503 with the same result when not). */
export async function healthResult(
  health: HealthCheckService,
  checks: HealthIndicatorFunction[],
): Promise<{ ok: boolean; result: HealthCheckResult }> {
  try {
    return { ok: true, result: await health.check(checks) };
  } catch (err) {
    if (!(err instanceof ServiceUnavailableException)) throw err;
    return { ok: false, result: err.getResponse() as HealthCheckResult };
  }
}
