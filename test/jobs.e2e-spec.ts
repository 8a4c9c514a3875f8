import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../src/jobs/periodic-job';
import { SCHEDULER_CHECK_MS } from '../src/jobs/periodic-jobs';
import { MAINTENANCE_QUEUE } from '../src/jobs/queues';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const PERIOD_MS = 1000;
/** Every run of the test jobs, in both application instances (they share this test's module scope). */
const runs: { job: string; instance: number; at: number }[] = [];
let instances = 0;
const runsOf = (job: string) => runs.filter((r) => r.job === job);

@PeriodicJob({ name: 'test.tick', everyMs: PERIOD_MS, roles: WORKER_ROLES })
@Injectable()
class TickJob implements PeriodicJobHandler {
  private readonly instance = ++instances;

  async run(): Promise<void> {
    runs.push({ job: 'test.tick', instance: this.instance, at: Date.now() });
  }
}

@PeriodicJob({ name: 'test.flaky', everyMs: PERIOD_MS, roles: WORKER_ROLES })
@Injectable()
class FlakyJob implements PeriodicJobHandler {
  async run(): Promise<void> {
    runs.push({ job: 'test.flaky', instance: 0, at: Date.now() });
    if (runsOf('test.flaky').length === 1) throw new Error('flaky pass failed');
  }
}

/** Declared for API processes alone: the instances here (APP_ROLE all) do not run it. */
@PeriodicJob({ name: 'test.api-only', everyMs: PERIOD_MS, roles: ['api'] })
@Injectable()
class ApiOnlyJob implements PeriodicJobHandler {
  async run(): Promise<void> {
    runs.push({ job: 'test.api-only', instance: 0, at: Date.now() });
  }
}

@Module({ providers: [TickJob, FlakyJob, ApiOnlyJob] })
class TestJobsModule {}

describe('periodic jobs', () => {
  const errors = jest.spyOn(Logger.prototype, 'error');
  let first: TestApp;
  let second: TestApp;
  let redis: Redis;
  let queue: Queue;

  beforeAll(async () => {
    first = await createTestApp({ imports: [TestJobsModule] });
    second = await createTestApp({ shared: first.env, imports: [TestJobsModule] });
    redis = new Redis(first.env.config.redis.url);
    queue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: `${first.env.config.redis.prefix}:bull` });
  }, 60_000);
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await second?.close();
    await first?.close();
    errors.mockRestore();
  });

  it('runs once per period across two instances, not once per instance', async () => {
    // Both instances have a maintenance worker: either may take a period's job.
    expect(await queue.getWorkersCount()).toBe(2);
    await waitFor(async () => runsOf('test.tick').length >= 2, 15_000);
    const from = Date.now();
    await sleep(6 * PERIOD_MS);
    const window = runsOf('test.tick').filter((r) => r.at >= from);
    // Once per period: about six; once per instance would be about twelve.
    expect(window.length).toBeGreaterThanOrEqual(4);
    expect(window.length).toBeLessThanOrEqual(8);
    expect(await queue.getJobScheduler('test.tick')).toEqual(expect.objectContaining({ every: PERIOD_MS }));
    expect(runsOf('test.api-only')).toEqual([]);
    expect(await queue.getJobScheduler('test.api-only')).toBeUndefined();
  }, 30_000);

  it('logs a failing pass, and the next period runs all the same', async () => {
    await waitFor(async () => runsOf('test.flaky').length >= 3, 15_000);
    expect(errors).toHaveBeenCalledWith('periodic job test.flaky failed: flaky pass failed');
  }, 20_000);

  it('puts the schedulers back when their keys are wiped from Redis, and the jobs run again', async () => {
    const prefix = first.env.config.redis.prefix;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
    expect(await queue.getJobSchedulersCount()).toBe(0);
    const wiped = Date.now();

    await waitFor(async () => runsOf('test.tick').some((r) => r.at > wiped), 3 * SCHEDULER_CHECK_MS);
    const all = [
      'audit.retention',
      'bulk.reconcile',
      'files.temp-sweep',
      'metrics.web-vitals-retention',
      'schedules.sync',
      'tasks.expire',
      'tasks.reconcile',
      'tasks.retention',
      'tasks.work-file-sweep',
      'test.flaky',
      'test.tick',
      'webhooks.catch_up',
      'webhooks.reconcile',
      'workflows.sweep',
      'workflows.triggers.reconcile',
    ];
    const names = await waitFor(async () => {
      const keys = (await queue.getJobSchedulers()).map((s) => s.key).sort();
      return all.every((name) => keys.includes(name)) ? keys : undefined;
    }, 3 * SCHEDULER_CHECK_MS);
    expect(names).toEqual(all);
  }, 30_000);
});
