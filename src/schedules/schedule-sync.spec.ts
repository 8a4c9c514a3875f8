import { Logger } from '@nestjs/common';
import type { JobSchedulerJson } from 'bullmq';
import type { Schedule } from './schedule';
import { timingOf } from './schedule';
import { ScheduleSync, type SyncFiring, type SyncMetrics, type SyncQueue, type SyncStore } from './schedule-sync';
import { firesAfter } from './schedule-timing';

/** A period as long as the sync's: the fires a pass finds missed do not depend on the milliseconds a test takes. */
const PERIOD = 60_000;
/** Created 20.5 periods ago: fires 1 to 19 are older than a sync period (missed unless handled), fire 20 is not. */
const CREATED = new Date(Date.now() - 20.5 * PERIOD);
const fire = (k: number) => new Date(CREATED.getTime() + k * PERIOD);
const ks = (dates: Date[]) => dates.map((d) => Math.round((d.getTime() - CREATED.getTime()) / PERIOD));

/**
 * One schedule and its history in memory. `passHandled` moves the mark as the statement does: past the fires
 * given that are handled (at or before it, or in the history), up to the first that is not.
 */
class FakeStore implements SyncStore {
  readonly recorded = new Set<number>();
  readonly passedOver: { until: Date; count: unknown }[] = [];
  lookups = 0;

  constructor(readonly schedule: Schedule) {}

  async active(): Promise<Schedule[]> {
    return [{ ...this.schedule }];
  }

  async firesRecorded(_id: string, after: Date, until: Date): Promise<Date[]> {
    this.lookups += 1;
    return [...this.recorded].filter((at) => at > after.getTime() && at <= until.getTime()).map((at) => new Date(at));
  }

  async passHandled(_id: string, fires: Date[]): Promise<void> {
    for (const at of fires) {
      if (at <= this.schedule.firedUntil) continue;
      if (!this.recorded.has(at.getTime())) return;
      this.schedule.firedUntil = at;
    }
  }

  async passOver(_id: string, until: Date, event?: { details?: Record<string, unknown> }): Promise<void> {
    this.passedOver.push({ until, count: event?.details?.count });
    if (until > this.schedule.firedUntil) this.schedule.firedUntil = until;
  }
}

/** Makes each fire it is given: its line in the history, and the mark moved past every fire then handled. */
class FakeFiring implements SyncFiring {
  readonly fired: Date[] = [];

  constructor(private readonly store: FakeStore) {}

  async fire(_id: string, fireAt: Date): Promise<'made'> {
    this.fired.push(fireAt);
    this.store.recorded.add(fireAt.getTime());
    const { schedule } = this.store;
    await this.store.passHandled(schedule.id, firesAfter(timingOf(schedule), schedule.firedUntil, 100, new Date()));
    return 'made';
  }
}

/** Redis with no job scheduler: each pass puts the schedule's back. */
class FakeQueue implements SyncQueue {
  async schedulers(): Promise<Map<string, JobSchedulerJson>> {
    return new Map();
  }
  async put(): Promise<void> {}
  async remove(): Promise<void> {}
}

class FakeMetrics implements SyncMetrics {
  passedOver = 0;
  scheduleFiresPassedOver(count: number): void {
    this.passedOver += count;
  }
}

/** A sync over one schedule handled until fire `handledUntil`, whose fires `recorded` are in its history. */
function setup(handledUntil: number, recorded: number[]) {
  const schedule = {
    id: 's1',
    cron: null,
    everyMs: PERIOD,
    timezone: 'UTC',
    startAt: null,
    endAt: null,
    paused: false,
    createdAt: CREATED,
    firedUntil: fire(handledUntil),
  } as Schedule;
  const store = new FakeStore(schedule);
  for (const k of recorded) store.recorded.add(fire(k).getTime());
  const firing = new FakeFiring(store);
  const metrics = new FakeMetrics();
  const sync = new ScheduleSync(
    store,
    new FakeQueue(),
    firing,
    { schedules: { syncIntervalMs: PERIOD, perUser: 0 } },
    metrics,
  );
  return { schedule, store, firing, metrics, sync };
}

beforeAll(() => Logger.overrideLogger(false));

describe('ScheduleSync, catching up with missed fires', () => {
  it('makes the missed fires late, each once, and moves the mark past them', async () => {
    const { schedule, firing, sync } = setup(15, []);
    expect(await sync.run()).toMatchObject({ late: 4 });
    expect(ks(firing.fired)).toEqual([16, 17, 18, 19]);
    expect(ks([schedule.firedUntil])).toEqual([19]);
    expect(await sync.run()).toMatchObject({ late: 0 });
    expect(firing.fired).toHaveLength(4);
  });

  it('makes none again of the fires made on time after a missed one, and moves the mark past them', async () => {
    // Fire 16 was missed (Redis wiped); 17 to 20 were made on time while it was still to be made.
    const { schedule, firing, sync } = setup(15, [17, 18, 19, 20]);
    expect(await sync.run()).toMatchObject({ late: 1 });
    expect(ks(firing.fired)).toEqual([16]);
    expect(ks([schedule.firedUntil])).toEqual([20]);
  });

  it('moves the mark past fires all made, and looks them up no more', async () => {
    // The mark fell behind fires made on time: a pass reports no late fire, and makes none.
    const { schedule, store, firing, sync } = setup(15, [16, 17, 18, 19]);
    const log = jest.spyOn(Logger.prototype, 'log');
    expect(await sync.run()).toEqual({ put: 1, removed: 0, late: 0 });
    expect(log.mock.calls).toEqual([['schedules: 1 put in Redis, 0 removed, 0 late fires']]);
    log.mockRestore();
    expect(firing.fired).toEqual([]);
    expect(ks([schedule.firedUntil])).toEqual([19]);
    const lookups = store.lookups;
    expect(await sync.run()).toMatchObject({ late: 0 });
    expect(store.lookups).toBe(lookups);
  });

  it('passes over the oldest missed fires beyond the last 10, not counting those made on time', async () => {
    const { schedule, store, firing, metrics, sync } = setup(0, [2, 3, 4]);
    expect(await sync.run()).toMatchObject({ late: 10 });
    expect(ks(firing.fired)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(store.passedOver.map(({ until, count }) => [ks([until])[0], count])).toEqual([[9, 6]]);
    expect(metrics.passedOver).toBe(6);
    expect(ks([schedule.firedUntil])).toEqual([19]);
  });
});
