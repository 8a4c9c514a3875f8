import type { components } from '../../api/schema';
import { lastTargetPath } from './schedule-helpers';
import type { Schedule } from './schedule-helpers';

export type ScheduleFire = components['schemas']['ScheduleFireDto'];

export const FIRES_PAGE_SIZE = 10;

/** A fire handled this long after its time or later counts as late (normal fires are handled within moments). */
export const LATE_AFTER_MS = 30_000;

/** "made", "skipped (the last fire still ran)", "failed: AGENT_NOT_FOUND": a fire's outcome in words. */
export function fireOutcomeText(fire: Pick<ScheduleFire, 'outcome' | 'error'>): string {
  if (fire.outcome === 'skipped-overlap') return 'skipped (the last fire still ran)';
  if (fire.outcome === 'failed') return fire.error ? `failed: ${fire.error}` : 'failed';
  return 'made';
}

/** "3.5 min late" for a fire handled well after its time (a worker was down), else null. */
export function fireLateness(fire: Pick<ScheduleFire, 'fireAt' | 'handledAt'>): string | null {
  const late = Date.parse(fire.handledAt) - Date.parse(fire.fireAt);
  if (!(late >= LATE_AFTER_MS)) return null;
  if (late < 60_000) return `${Math.round(late / 1000)} s late`;
  if (late < 3_600_000) return `${(late / 60_000).toFixed(1)} min late`;
  return `${(late / 3_600_000).toFixed(1)} h late`;
}

/** The page of the task or run a fire made, or null (skipped or failed fires made nothing). */
export function fireTargetPath(
  schedule: Pick<Schedule, 'target'>,
  fire: Pick<ScheduleFire, 'targetId'>,
): string | null {
  return lastTargetPath({ target: schedule.target, lastTargetId: fire.targetId });
}
