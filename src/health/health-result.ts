import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';

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
