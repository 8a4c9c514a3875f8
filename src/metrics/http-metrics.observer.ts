import type { FinishedRequestObserver } from '../common/http/request-tracking.middleware';
import type { Metrics } from './metrics.service';

/** Counts and times every response by method, route template (never the raw path) and status. */
export function httpMetricsObserver(metrics: Metrics): FinishedRequestObserver {
  return (req, res, durationMs) => {
    const route = req.route ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}` : 'unmatched';
    metrics.httpRequest(req.method, route, res.statusCode, durationMs / 1000);
  };
}
