import type { FinishedRequestObserver } from '../common/http/request-tracking.middleware';
import type { Metrics } from './metrics.service';

/** What a response that no route answered was: the console's (its pages and files), or nothing at all. */
export const CONSOLE_ROUTE = 'console';

/**
 * Counts and times every response by method, route template (never the raw path) and status; the console's
 * pages and files as `console` (it sets `res.locals.route`), anything else no route matched as `unmatched`.
 */
export function httpMetricsObserver(metrics: Metrics): FinishedRequestObserver {
  return (req, res, durationMs) => {
    const route = req.route
      ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}`
      : ((res.locals as { route?: string }).route ?? 'unmatched');
    metrics.httpRequest(req.method, route, res.statusCode, durationMs / 1000);
  };
}
