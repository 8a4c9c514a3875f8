import { useNow } from './use-now';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];
const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });

export function relativeTime(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return format.format(Math.round(seconds / size), unit);
  }
  return date.toISOString();
}

/**
 * The clock ticks every 30 s, so a value that arrives in between can be newer than it: a time less than a
 * minute ahead of the clock is the present ("now"), not "in 11 sec."; later ones (an expiry) stay ahead.
 */
function reference(date: Date, now: number): number {
  const ahead = date.getTime() - now;
  return ahead > 0 && ahead < 60_000 ? date.getTime() : now;
}

/** "3 min ago", with the exact ISO time on hover and for assistive technology. */
export function TimeAgo({ value }: { value: string | Date | null | undefined }) {
  const now = useNow();
  if (!value) return <span>—</span>;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return <span>—</span>;
  const iso = date.toISOString();
  return (
    // The browser's own tooltip (title): a tooltip component per row cost half a long table's first render.
    <time dateTime={iso} title={iso}>
      {relativeTime(date, reference(date, now))}
    </time>
  );
}
