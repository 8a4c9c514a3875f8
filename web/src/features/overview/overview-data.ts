/**
 * The Overview's data shaping: `GET /api/v1/stats` into figures, chart rows and sentences. Pure functions, no
 * React, so they are unit-tested on their own.
 */

import { STATUSES, type TaskStatus } from '../tasks/task-status';

/** One bucket of `perMinute` or `perHour`: tasks created in it, by their current status. */
export type StatusBucket = { start: string } & Record<TaskStatus, number>;

export interface OutcomeWindow {
  succeeded: number;
  failed: number;
  cancelled: number;
  failureRate: number | null;
  byAgentType: { agentType: string; finished: number; p95Ms: number | null }[];
}

export interface QueueDepth {
  waiting: number;
  prioritized: number;
  active: number;
  delayed: number;
  failed: number;
}

/** The chart's window: `?window=hour` (60 one-minute buckets, the default) or `?window=day` (24 hours). */
export type StatsWindow = 'hour' | 'day';

export function parseWindow(value: string | null): StatsWindow {
  return value === 'day' ? 'day' : 'hour';
}

/**
 * The console's status colours (grey, blue, amber, green, red, slate), dark enough for 3:1 against white as
 * graphics; the legend, tooltip and tables always carry the word as well.
 */
export const STATUS_COLOURS: Record<TaskStatus, string> = {
  queued: '#868e96',
  running: '#1c7ed6',
  retrying: '#c26a00',
  succeeded: '#2f9e44',
  failed: '#e03131',
  cancelled: '#475569',
  expired: '#9c36b5',
};

/** A chart's height in px: its skeleton, shown while the charts load, has the same. */
export const CHART_HEIGHT = 260;

const numbers = new Intl.NumberFormat('en');
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** A count, grouped: "1,234". */
export function formatCount(n: number): string {
  return numbers.format(n);
}

/** "850 ms", "12.4 s", "3.2 min", "75 min"; "—" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = ms / 60_000;
  return minutes < 10 ? `${minutes.toFixed(1)} min` : `${numbers.format(Math.round(minutes))} min`;
}

/** A rate in 0..1 as a percentage: "40%", "33.3%", "<0.1%"; "—" when there is none. */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  const percent = rate * 100;
  if (percent > 0 && percent < 0.1) return '<0.1%';
  return `${oneDecimal.format(percent)}%`;
}

/** "2 failed of 5 finished" (cancelled tasks do not count towards the rate). */
export function failureCounts(window: OutcomeWindow): string {
  const decided = window.succeeded + window.failed;
  const text = `${formatCount(window.failed)} failed of ${formatCount(decided)} finished`;
  return window.cancelled > 0 ? `${text}, ${formatCount(window.cancelled)} cancelled` : text;
}

/** How the failure rate of a window reads: none finished, all good, or the rate with its counts. */
export function failureSummary(window: OutcomeWindow): { value: string; detail: string } {
  if (window.failureRate === null) {
    return {
      value: '—',
      detail: window.cancelled > 0 ? `none finished, ${formatCount(window.cancelled)} cancelled` : 'no task finished',
    };
  }
  return { value: formatPercent(window.failureRate), detail: failureCounts(window) };
}

export const QUEUE_STATES: (keyof QueueDepth)[] = ['waiting', 'prioritized', 'active', 'delayed', 'failed'];

/** Jobs still to run (waiting, prioritized, delayed): the queue's backlog, shown as "queued". */
export function queueBacklog(queue: QueueDepth): number {
  return queue.waiting + queue.prioritized + queue.delayed;
}

/** The Workers figure's words: with none connected to the task queue, queued tasks wait. */
export function workersDetail(workers: number): { text: string; alarming: boolean } {
  if (workers === 0) return { text: 'None running: queued tasks wait until a worker starts', alarming: true };
  return { text: `${workers === 1 ? 'Worker' : 'Workers'} connected to the task queue`, alarming: false };
}

export function bucketTotal(bucket: StatusBucket): number {
  return STATUSES.reduce((sum, status) => sum + bucket[status], 0);
}

const clocks = new Map<string, Intl.DateTimeFormat>();

function clock(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let format = clocks.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
    clocks.set(key, format);
  }
  return format;
}

/** A bucket's label on the axis: "14:05" (minutes) or "14:00" (hours), in the given time zone (the browser's). */
export function bucketLabel(start: string, window: StatsWindow, timeZone?: string): string {
  const parts = clock(timeZone).formatToParts(new Date(start));
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '00';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  return window === 'hour' ? `${hour}:${minute}` : `${hour}:00`;
}

const seconds = new Map<string, Intl.DateTimeFormat>();

/** When the figures were made, as a clock time with seconds ("19:09:42"): it changes at every refresh. */
export function clockTime(iso: string, timeZone?: string): string {
  const key = timeZone ?? '';
  let format = seconds.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZone,
    });
    seconds.set(key, format);
  }
  return format.format(new Date(iso));
}

export type ChartRow = { start: string; label: string; total: number } & Record<TaskStatus, number>;

/** Buckets into the rows of the stacked chart: one per bucket, oldest first, with a label and a total. */
export function bucketsToRows(buckets: StatusBucket[], window: StatsWindow, timeZone?: string): ChartRow[] {
  return buckets.map((bucket) => {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, bucket[s] ?? 0])) as Record<TaskStatus, number>;
    return {
      start: bucket.start,
      label: bucketLabel(bucket.start, window, timeZone),
      total: bucketTotal(counts as StatusBucket),
      ...counts,
    };
  });
}

export interface FailureRateRow {
  start: string;
  label: string;
  /** failed / (succeeded + failed), as a percentage 0..100; null when no task of the bucket has finished so. */
  rate: number | null;
  failed: number;
  decided: number;
}

/** Per bucket, the share of failures among the tasks created then that have succeeded or failed by now. */
export function failureRateRows(buckets: StatusBucket[], window: StatsWindow, timeZone?: string): FailureRateRow[] {
  return buckets.map((bucket) => {
    const decided = bucket.succeeded + bucket.failed;
    return {
      start: bucket.start,
      label: bucketLabel(bucket.start, window, timeZone),
      rate: decided === 0 ? null : Math.round((bucket.failed / decided) * 1000) / 10,
      failed: bucket.failed,
      decided,
    };
  });
}

export function sumBuckets(buckets: StatusBucket[]): Record<TaskStatus, number> {
  const totals = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const bucket of buckets) for (const s of STATUSES) totals[s] += bucket[s] ?? 0;
  return totals;
}

const WINDOW_WORDS: Record<StatsWindow, string> = { hour: 'in the last hour', day: 'in the last 24 hours' };

/** The chart in a sentence: "12 tasks created in the last hour: 8 succeeded, 2 failed, 2 running." */
export function bucketsSummary(buckets: StatusBucket[], window: StatsWindow): string {
  const totals = sumBuckets(buckets);
  const total = STATUSES.reduce((n, s) => n + totals[s], 0);
  if (total === 0) return `No tasks were created ${WINDOW_WORDS[window]}.`;
  const parts = STATUSES.filter((s) => totals[s] > 0).map((s) => `${formatCount(totals[s])} ${s}`);
  return `${formatCount(total)} ${total === 1 ? 'task' : 'tasks'} created ${WINDOW_WORDS[window]}, by current status: ${parts.join(', ')}.`;
}

/** The failure-rate chart in a sentence, naming the worst bucket. */
export function failureRateSummary(rows: FailureRateRow[], window: StatsWindow): string {
  const decided = rows.filter((r) => r.rate !== null);
  if (decided.length === 0) return `No task created ${WINDOW_WORDS[window]} has succeeded or failed yet.`;
  const failed = decided.reduce((n, r) => n + r.failed, 0);
  const total = decided.reduce((n, r) => n + r.decided, 0);
  const overall = `${formatPercent(failed / total)} of the tasks created ${WINDOW_WORDS[window]} that finished failed (${formatCount(failed)} of ${formatCount(total)})`;
  if (failed === 0) return `${overall}.`;
  const worst = decided.reduce((a, b) => ((b.rate ?? 0) > (a.rate ?? 0) ? b : a));
  const unit = window === 'hour' ? 'minute' : 'hour';
  return `${overall}; the worst ${unit} was ${worst.label} at ${formatPercent((worst.rate ?? 0) / 100)}.`;
}

/** Whether the stats hold no task at all: nothing created, finished or running in the last day. */
export function hasNoRecentTasks(stats: { perHour: StatusBucket[]; lastDay: OutcomeWindow; running: number }): boolean {
  const finished = stats.lastDay.succeeded + stats.lastDay.failed + stats.lastDay.cancelled;
  return stats.running === 0 && finished === 0 && stats.perHour.every((b) => bucketTotal(b) === 0);
}

/** The p95 durations of a window, slowest first (unknown last), then by name. */
export function durationRows(window: OutcomeWindow): OutcomeWindow['byAgentType'] {
  return [...window.byAgentType].sort(
    (a, b) => (b.p95Ms ?? -1) - (a.p95Ms ?? -1) || a.agentType.localeCompare(b.agentType),
  );
}
