import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/test-app';
import { createAgent } from './tasks';
import { bearer, createUser, type TestUser } from './users';

/** How often the schedule sync runs in the schedule tests. */
const SYNC_MS = 1000;

/** What the schedule API's tests start from: the app, an operator, a calculator agent of theirs, and `create`. */
export interface ScheduleTestBed {
  t: TestApp;
  op: TestUser;
  calc: string;
  /** POSTs a schedule as `user` (the operator unless given). */
  create(body: Record<string, unknown>, user?: TestUser): request.Test;
}

/**
 * An app whose schedule sync runs every {@link SYNC_MS} (unless `env` says otherwise), with an operator and a
 * calculator agent (for beforeAll).
 */
export async function scheduleTestBed(env: Record<string, string> = {}): Promise<ScheduleTestBed> {
  const t = await createTestApp({ env: { SCHEDULE_SYNC_INTERVAL_MS: String(SYNC_MS), ...env } });
  const op = await createUser(t, 'operator');
  const calc = (await createAgent(t, op, { type: 'calculator' })).id;
  const create = (body: Record<string, unknown>, user = op) =>
    request(t.http)
      .post('/api/v1/schedules')
      .set(...bearer(user))
      .send(body);
  return { t, op, calc, create };
}

/** A schedule as the API shows it, with what these tests read. */
export interface ScheduleView {
  id: string;
  nextFires: string[];
  paused: boolean;
  targetDeleted: boolean;
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
