import type Redis from 'ioredis';
import type { TaskStatus } from './task';
import type { LeaseHolder } from './persistence/task.repository';
import { type LeaseMetrics, STALE_LEASE_CHECK_MS, StaleLeases, staleLeases, type TaskStates } from './stale-leases';

/** Lease sets in memory: ZRANGE WITHSCORES and the drop script, as Redis runs them. */
class FakeLeaseSets {
  readonly sets = new Map<string, Map<string, string>>();
  ranges = 0;

  async zrange(key: string): Promise<string[]> {
    this.ranges += 1;
    return [...(this.sets.get(key) ?? [])].flat();
  }

  async ymeraDropStaleLeases(key: string, ...pairs: string[]): Promise<number> {
    const set = this.sets.get(key) ?? new Map<string, string>();
    let dropped = 0;
    for (let i = 0; i < pairs.length; i += 2) {
      if (Number(set.get(pairs[i])) === Number(pairs[i + 1])) dropped += Number(set.delete(pairs[i]));
    }
    return dropped;
  }
}

class FakeStates implements TaskStates {
  readonly status = new Map<string, TaskStatus>();
  /** Tasks with an attempt still open. */
  readonly open = new Set<string>();

  async holdersOf(ids: string[]): Promise<LeaseHolder[]> {
    return ids.flatMap((id) => {
      const status = this.status.get(id);
      return status ? [{ id, status, attemptOpen: this.open.has(id) }] : [];
    });
  }
}

/** The counter of leases given back. */
class FakeMetrics implements LeaseMetrics {
  givenBack = 0;
  leasesGivenBack(count: number): void {
    this.givenBack += count;
  }
}

function setup() {
  const redis = new FakeLeaseSets();
  const tasks = new FakeStates();
  const metrics = new FakeMetrics();
  const leases = new StaleLeases(redis as unknown as Redis, tasks, metrics);
  return { redis, tasks, metrics, leases };
}

describe('staleLeases', () => {
  const lease = (taskId: string) => ({ taskId, until: '1000' });

  it('keeps the leases of tasks about to run, running, retrying or still stopping, and drops the rest', () => {
    const leases = ['q', 'r', 'retrying', 'stopping', 'done', 'cancelled', 'gone'].map(lease);
    const holders = [
      { id: 'q', status: 'queued' as const, attemptOpen: false },
      { id: 'r', status: 'running' as const, attemptOpen: true },
      { id: 'retrying', status: 'retrying' as const, attemptOpen: false },
      { id: 'stopping', status: 'cancelled' as const, attemptOpen: true },
      { id: 'done', status: 'succeeded' as const, attemptOpen: false },
      { id: 'cancelled', status: 'cancelled' as const, attemptOpen: false },
    ];
    expect(staleLeases(leases, holders).map((l) => l.taskId)).toEqual(['done', 'cancelled', 'gone']);
  });
});

describe('StaleLeases', () => {
  afterEach(() => jest.useRealTimers());

  it('gives back the slots of tasks that ended, and leaves a lease taken again meanwhile', async () => {
    const t = setup();
    t.redis.sets.set(
      'agent-slots:a',
      new Map([
        ['running', '5000'],
        ['ended', '5000'],
        ['failed', '5000'],
      ]),
    );
    t.tasks.status.set('running', 'running').set('ended', 'succeeded').set('failed', 'failed');
    const zrange = t.redis.zrange.bind(t.redis);
    // The failed task is retried and takes its slot again between the read and the drop.
    jest.spyOn(t.redis, 'zrange').mockImplementationOnce(async (key) => {
      const flat = await zrange(key);
      t.redis.sets.get(key)!.set('failed', '9000');
      return flat;
    });
    expect(await t.leases.sweep('agent-slots:a')).toBe(1);
    expect([...t.redis.sets.get('agent-slots:a')!.keys()]).toEqual(['running', 'failed']);
    expect(t.metrics.givenBack).toBe(1);
  });

  it('checks a set that turned a task away at most once per interval', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate'] });
    const t = setup();
    t.leases.check('agent-slots:a');
    t.leases.check('agent-slots:a');
    t.leases.check('agent-slots:b');
    expect(t.redis.ranges).toBe(2);
    jest.setSystemTime(STALE_LEASE_CHECK_MS);
    t.leases.check('agent-slots:a');
    expect(t.redis.ranges).toBe(3);
  });

  it('leaves a set whose leases all belong to live tasks alone', async () => {
    const t = setup();
    t.redis.sets.set('key-slots:{a:k}', new Map([['q', '5000']]));
    t.tasks.status.set('q', 'queued');
    expect(await t.leases.sweep('key-slots:{a:k}')).toBe(0);
    expect(t.redis.sets.get('key-slots:{a:k}')!.size).toBe(1);
    expect(t.metrics.givenBack).toBe(0);
  });
});
