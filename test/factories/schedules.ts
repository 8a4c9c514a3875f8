import type { TestApp } from '../utils/test-app';

/** How often the schedule sync runs in the schedule tests. */
export const SYNC_MS = 1000;

/** A schedule as the API shows it, with what these tests read. */
export interface ScheduleView {
  id: string;
  nextFires: string[];
  paused: boolean;
  lastFireAt: string | null;
  lastTargetId: string | null;
}

/** The tasks a schedule made: their fire times, oldest first, one row per task. */
export async function firesOf(t: TestApp, scheduleId: string): Promise<{ fireAt: string; id: string }[]> {
  return (await t.dataSource.query(
    `SELECT metadata->>'fireAt' AS "fireAt", id FROM tasks WHERE metadata->>'scheduleId' = $1 ORDER BY 1, 2`,
    [scheduleId],
  )) as { fireAt: string; id: string }[];
}

/** No fire time twice, and none missing between the first and the last (fires `periodMs` apart). */
export function expectEachFireOnce(fires: { fireAt: string }[], periodMs: number): void {
  const times = fires.map((f) => Date.parse(f.fireAt));
  expect(new Set(times).size).toBe(times.length);
  for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(periodMs);
}
