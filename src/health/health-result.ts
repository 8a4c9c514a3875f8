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
/**
 * A system error's code, as Node words a failed call: `connect ECONNREFUSED 10.0.0.5:5432` is shown as
 * `ECONNREFUSED`, `getaddrinfo EAI_AGAIN db` as `EAI_AGAIN`; other capitals (a user or database named so) are not.
 */
const SYSTEM_ERROR_CODE =
  /^(?:(?:connect|getaddrinfo|lookup|read|write|queryA|queryAaaa|querySrv) )?(E[A-Z_]{2,})(?:\s|$)/;

/**
 * What a failed check may say in a health answer, which anyone may read: the platform's own words, a system
 * error's code, or "failed"; never a server's address or name, nor a database's or a user's (a driver's message
 * can hold them). The whole message goes to the log.
 */
export function publicReason(message: string): string {
  if (OWN_MESSAGES.some((own) => own.test(message))) return message;
  return SYSTEM_ERROR_CODE.exec(message)?.[1] ?? 'failed (the log says why)';
}

/**
 * Why each component is down, as last logged: a reason is logged when it changes, not on every probe (health
 * answers anyone, unthrottled, and a failing one must not fill the log). One per caller of {@link healthResult}.
 */
export class DownReasons {
  private readonly said = new Map<string, string>();

  constructor(private readonly logger = new Logger('Health')) {}

  /** Logs the components' reasons that changed since they were last logged; forgets the components now up. */
  note(down: Map<string, string>): void {
    for (const key of [...this.said.keys()]) if (!down.has(key)) this.said.delete(key);
    for (const [key, message] of down) {
      if (this.said.get(key) === message) continue;
      this.said.set(key, message);
      this.logger.warn(`health: ${key} is down: ${message}`);
    }
  }
}

/** Terminus's result of `checks`, and whether every one is up (it throws a 503 with the same result when not). */
export async function healthResult(
  health: HealthCheckService,
  checks: HealthIndicatorFunction[],
  reasons: DownReasons,
): Promise<{ ok: boolean; result: HealthCheckResult }> {
  try {
    const result = await health.check(checks);
    reasons.note(new Map());
    return { ok: true, result };
  } catch (err) {
    if (!(err instanceof ServiceUnavailableException)) throw err;
    return { ok: false, result: withPublicReasons(err.getResponse() as HealthCheckResult, reasons) };
  }
}

function withPublicReasons(result: HealthCheckResult, reasons: DownReasons): HealthCheckResult {
  const down = new Map<string, string>();
  const clean = <C extends HealthCheckResult['info']>(components: C): C =>
    components &&
    (Object.fromEntries(
      Object.entries(components).map(([key, state]) => {
        const message: unknown = state?.message;
        if (!state || state.status === 'up' || typeof message !== 'string') return [key, state];
        down.set(key, message);
        return [key, { ...state, message: publicReason(message) }];
      }),
    ) as C);
  const cleaned = { ...result, info: clean(result.info), error: clean(result.error), details: clean(result.details) };
  reasons.note(down);
  return cleaned;
}
