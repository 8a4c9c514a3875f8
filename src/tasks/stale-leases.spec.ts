import type Redis from 'ioredis';
import type { TaskStatus } from './task';
import type { LeaseHolder } from './persistence/task.repository';
import {
  type LeaseMetrics,
  needsLiveWorkers,
  STALE_LEASE_CHECK_MS,
  StaleLeases,
  staleLeases,
  type TaskStates,
  WORKER_GONE_GRACE_MS,
  type WorkerSightings,
} from './stale-leases';

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
  /** Tasks with an attempt still open, and the worker that opened it. */
  readonly open = new Map<string, string>();

  async holdersOf(ids: string[]): Promise<LeaseHolder[]> {
    return ids.flatMap((id) => {
      const status = this.status.get(id);
      const worker = this.open.get(id);
      return status ? [{ id, status, openOn: worker ? [worker] : [] }] : [];
    });
  }
}

/** The workers connected to Redis, as CLIENT LIST names them (undefined: it does not). */
class FakeWorkers implements WorkerSightings {
  live: Set<string> | undefined = new Set();
  asked = 0;

  failing = false;

  async liveWorkers(): Promise<Set<string> | undefined> {
    this.asked += 1;
    if (this.failing) throw new Error('CLUSTERDOWN The cluster is down');
    return this.live;
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
  const workers = new FakeWorkers();
  const leases = new StaleLeases(redis as unknown as Redis, tasks, metrics, workers);
  return { redis, tasks, metrics, workers, leases };
}

describe('staleLeases', () => {
  const lease = (taskId: string) => ({ taskId, until: '1000' });

  it('keeps the leases of tasks about to run, running, retrying or still stopping, and drops the rest', () => {
    const leases = ['q', 'r', 'retrying', 'stopping', 'done', 'cancelled', 'gone'].map(lease);
    const holders: LeaseHolder[] = [
      { id: 'q', status: 'queued', openOn: [] },
      { id: 'r', status: 'running', openOn: ['w1'] },
      { id: 'retrying', status: 'retrying', openOn: [] },
      { id: 'stopping', status: 'cancelled', openOn: ['w1'] },
      { id: 'done', status: 'succeeded', openOn: [] },
      { id: 'cancelled', status: 'cancelled', openOn: [] },
    ];
    const found = staleLeases(leases, holders, new Set(['w1']));
    expect(found.stale.map((l) => l.taskId)).toEqual(['done', 'cancelled', 'gone']);
    expect(found.workerGone).toEqual([]);
  });

  it('finds the worker gone of an ended task whose open attempts are all on workers no longer connected', () => {
    const leases = ['dead', 'alive', 'running-on-dead'].map(lease);
    const holders: LeaseHolder[] = [
      { id: 'dead', status: 'cancelled', openOn: ['w-dead'] },
      { id: 'alive', status: 'cancelled', openOn: ['w-dead', 'w-live'] },
      // A running task is the reconciler's to take over, not this check's to free.
      { id: 'running-on-dead', status: 'running', openOn: ['w-dead'] },
    ];
    const found = staleLeases(leases, holders, new Set(['w-live']));
    expect(found.workerGone.map((l) => l.taskId)).toEqual(['dead']);
    expect(found.stale).toEqual([]);
  });

  it('keeps the lease of an ended task with an open attempt when the connected workers are unknown', () => {
    const holders: LeaseHolder[] = [{ id: 'stopping', status: 'cancelled', openOn: ['w1'] }];
    expect(staleLeases([lease('stopping')], holders, undefined)).toEqual({ stale: [], workerGone: [] });
  });

  it('needs the connected workers only when an ended task has an attempt open', () => {
    expect(needsLiveWorkers([{ id: 'r', status: 'running', openOn: ['w1'] }])).toBe(false);
    expect(needsLiveWorkers([{ id: 'c', status: 'cancelled', openOn: [] }])).toBe(false);
    expect(needsLiveWorkers([{ id: 'c', status: 'cancelled', openOn: ['w1'] }])).toBe(true);
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
    expect(t.workers.asked).toBe(0);
  });

  it('gives back the slot of a cancelled task whose worker died with its attempt open once a check a grace later agrees, not of one still stopping', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate'] });
    const t = setup();
    t.redis.sets.set(
      'agent-slots:a',
      new Map([
        ['orphaned', '5000'],
        ['stopping', '5000'],
      ]),
    );
    t.tasks.status.set('orphaned', 'cancelled').set('stopping', 'cancelled');
    t.tasks.open.set('orphaned', 'host:1').set('stopping', 'host:2');
    t.workers.live = new Set(['host:2']);
    // Its worker may only be reconnecting (a failover): the first check notes it, and so does one too soon.
    expect(await t.leases.sweep('agent-slots:a')).toBe(0);
    jest.setSystemTime(WORKER_GONE_GRACE_MS - 1);
    expect(await t.leases.sweep('agent-slots:a')).toBe(0);
    jest.setSystemTime(WORKER_GONE_GRACE_MS);
    expect(await t.leases.sweep('agent-slots:a')).toBe(1);
    expect([...t.redis.sets.get('agent-slots:a')!.keys()]).toEqual(['stopping']);
    expect(t.workers.asked).toBe(3);
  });

  it('starts the grace again for a worker seen back in between, and keeps it while the workers are unknown', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate'] });
    const t = setup();
    t.redis.sets.set('agent-slots:a', new Map([['stopping', '5000']]));
    t.tasks.status.set('stopping', 'cancelled');
    t.tasks.open.set('stopping', 'host:1');
    expect(await t.leases.sweep('agent-slots:a')).toBe(0);
    // Back (it had reconnected): forgotten.
    jest.setSystemTime(2000);
    t.workers.live = new Set(['host:1']);
    expect(await t.leases.sweep('agent-slots:a')).toBe(0);
    // Gone again: a new grace from here.
    jest.setSystemTime(4000);
    t.workers.live = new Set();
    expect(await t.leases.sweep('agent-slots:a')).toBe(0);
    jest.setSystemTime(4000 + WORKER_GONE_GRACE_MS - 1);
    expect(await t.leases.sweep('agent-slots:a')).toBe(0);
    // Unknown (CLIENT LIST failing): nothing given back, nothing forgotten.
    t.workers.failing = true;
    jest.setSystemTime(4000 + WORKER_GONE_GRACE_MS);
    expect(await t.leases.sweep('agent-slots:a')).toBe(0);
    t.workers.failing = false;
    expect(await t.leases.sweep('agent-slots:a')).toBe(1);
    expect(t.redis.sets.get('agent-slots:a')!.size).toBe(0);
  });

  it('still gives back what it can when Redis cannot say which workers are connected (failing over)', async () => {
    const t = setup();
    t.redis.sets.set(
      'agent-slots:a',
      new Map([
        ['ended', '5000'],
        ['stopping', '5000'],
      ]),
    );
    t.tasks.status.set('ended', 'succeeded').set('stopping', 'cancelled');
    t.tasks.open.set('stopping', 'host:1');
    t.workers.failing = true;
    expect(await t.leases.sweep('agent-slots:a')).toBe(1);
    expect([...t.redis.sets.get('agent-slots:a')!.keys()]).toEqual(['stopping']);
  });
});
