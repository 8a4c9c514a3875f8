import { type Metric, onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import { api } from '../api/client';

/** One id per page load, so a dashboard can group a visit's metrics. */
const sessionId = crypto.randomUUID();

function send(metric: Metric): void {
  void api
    .POST('/api/v1/metrics/frontend', {
      body: {
        name: metric.name,
        value: metric.value,
        id: metric.id,
        rating: metric.rating,
        sessionId,
        // The path only: a query string may carry filters nobody asked to have recorded.
        url: window.location.pathname,
        timestamp: new Date().toISOString(),
      },
      keepalive: true,
    })
    .catch(() => undefined);
}

/** Reports Core Web Vitals to `POST /api/v1/metrics/frontend` (public, rate limited per IP). */
export function reportWebVitals(): void {
  onCLS(send);
  onFCP(send);
  onINP(send);
  onLCP(send);
  onTTFB(send);
}
