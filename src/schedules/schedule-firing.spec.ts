import type { AuditService } from '../audit/audit.service';
import type { FireTargets } from './ports';
import type { FireRecord } from './persistence/schedule.repository';
import type { Schedule } from './schedule';
import { type FireMetrics, type FireStore, ScheduleFiring } from './schedule-firing';

const PERIOD = 60_000;
/** Created 20.5 periods ago: fire 20 is the last one before now. */
const CREATED = new Date(Date.now() - 20.5 * PERIOD);
const fire = (k: number) => new Date(CREATED.getTime() + k * PERIOD);
const ks = (dates: Date[]) => dates.map((d) => Math.round((d.getTime() - CREATED.getTime()) / PERIOD));

/** One schedule, handled until fire `handledUntil`; `recordFire` writes a fire's line once, as the statement does. */
class FakeStore implements FireStore {
  readonly lines = new Map<number, FireRecord>();
  readonly looked: Date[][] = [];

  constructor(readonly schedule: Schedule) {}

  async findById(): Promise<Schedule> {
    return { ...this.schedule };
  }

  async recordFire(_id: string, fireAt: Date, _target: string | null, fires: Date[], record?: FireRecord) {
    this.looked.push(fires);
    if (!record || this.lines.has(fireAt.getTime())) return false;
    this.lines.set(fireAt.getTime(), record);
    return true;
  }

  async update(): Promise<undefined> {
    return undefined;
  }
}

class FakeMetrics implements FireMetrics {
  readonly counted: string[] = [];
  scheduleFire(outcome: string): void {
    this.counted.push(outcome);
  }
}

function setup(handledUntil: number) {
  const schedule = {
    id: 's1',
    agentId: 'a1',
    workflowId: null,
    cron: null,
    everyMs: PERIOD,
    timezone: 'UTC',
    startAt: null,
    endAt: null,
    paused: false,
    overlap: 'allow',
    createdBy: 'u1',
    createdAt: CREATED,
    firedUntil: fire(handledUntil),
  } as Schedule;
  const store = new FakeStore(schedule);
  const metrics = new FakeMetrics();
  // The same fire submitted again returns the task it made (its idempotency key).
  const submission = { submit: async () => ({ task: { id: 'task-of-the-fire' } }) };
  const firing = new ScheduleFiring(
    store,
    submission as unknown as FireTargets['submission'],
    {} as FireTargets['tasks'],
    {} as FireTargets['workflows'],
    {} as AuditService,
    metrics,
    { assertMayStill: async () => undefined },
    { assertFireMayRead: async () => undefined },
  );
  return { store, metrics, firing };
}

describe('ScheduleFiring', () => {
  it('counts a fire once, however often it is made: by the handling that wrote its line', async () => {
    const { store, metrics, firing } = setup(15);
    // The worker made fire 17 on time; the sync, or a retried job, makes it again.
    expect(await firing.fire('s1', fire(17))).toBe('made');
    expect(await firing.fire('s1', fire(17))).toBe('made');
    expect(metrics.counted).toEqual(['made']);
    expect([...store.lines.values()]).toEqual([{ outcome: 'made', targetId: 'task-of-the-fire' }]);
  });

  it('gives the store the fires from the handled-until time to now, to move past those handled', async () => {
    const { store, firing } = setup(15);
    await firing.fire('s1', fire(17));
    // Fire 16 is still to be made (the mark stays before it); 18 to 20 may have been made on time already.
    expect(store.looked.map(ks)).toEqual([[16, 17, 18, 19, 20]]);
  });
});
