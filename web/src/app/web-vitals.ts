import { type Metric, onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import { api } from '../api/client';
import { vitalReport } from './web-vital-report';

/** One id per page load, so a dashboard can group a visit's metrics. */
const sessionId = crypto.randomUUID();

function send(metric: Metric): void {
  void api
    .POST('/api/v1/metrics/frontend', { body: vitalReport(metric, window.location, sessionId), keepalive: true })
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
