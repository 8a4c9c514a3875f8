/** One metric as the web-vitals library reports it (the fields the console sends). */
export interface VitalMetric {
  name: 'CLS' | 'FCP' | 'FID' | 'INP' | 'LCP' | 'TTFB';
  value: number;
  id: string;
  rating: 'good' | 'needs-improvement' | 'poor';
}

/**
 * The body of `POST /api/v1/metrics/frontend` for one metric. `url` is the page's absolute URL, as the
 * contract asks, but without its query string or fragment: those may carry filters nobody asked to have
 * recorded.
 */
export function vitalReport(
  metric: VitalMetric,
  location: { origin: string; pathname: string },
  sessionId: string,
  now = new Date(),
) {
  return {
    name: metric.name,
    value: metric.value,
    id: metric.id,
    rating: metric.rating,
    sessionId,
    url: `${location.origin}${location.pathname}`,
    timestamp: now.toISOString(),
  };
}
