import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import type { ApiKeysService, RevocationHandler } from '../api-keys/api-keys.service';
import type { OwnedRecord } from '../audit/owned-records';
import type { ScheduleFireJobData } from '../jobs/queues';
import type { FireTargets, ScheduleStore } from './ports';
import { ScheduleQueue } from './schedule-queue';
import { SchedulesService } from './schedules.service';

/** The service with a key revocation's handler in hand, over a store that pauses `paused` and Redis holding `held`. */
function setup(paused: OwnedRecord[], held: string[]) {
  const redis = {
    on: () => undefined,
    getJobSchedulers: jest.fn(async () => held.map((key) => ({ key }))),
    removeJobScheduler: jest.fn(async () => true),
  };
  const store = {
    pauseChangedWithKey: async () => paused,
    countRunningChangedWithKey: async () => paused.length,
  } as unknown as ScheduleStore;
  let revoked: RevocationHandler | undefined;
  const keys: Pick<ApiKeysService, 'changeBy' | 'whenRevoked'> = {
    changeBy: () => ({ changedWithKeyId: null }),
    whenRevoked: (handler) => {
      revoked = handler;
    },
  };
  const service = new SchedulesService(
    store,
    new ScheduleQueue(redis as unknown as Queue<ScheduleFireJobData>),
    {} as FireTargets['submission'],
    {} as FireTargets['workflows'],
    keys,
    { schedules: { syncIntervalMs: 5000, perUser: 0 } },
    { assertMayRead: async () => undefined },
    { deletedAmong: async () => () => false },
  );
  service.onModuleInit();
  return { redis, handler: () => revoked!, revoke: () => revoked!.stop({} as EntityManager, 'key-1') };
}

describe('SchedulesService, when an API key is revoked', () => {
  it('counts the schedules it paused and takes out of Redis those Redis holds', async () => {
    const { redis, revoke, handler } = setup(
      [
        { id: 's1', createdBy: 'u1' },
        { id: 's2', createdBy: 'u1' },
      ],
      ['s2', 'other'],
    );
    expect(handler().kind).toBe('pausedSchedules');
    expect(await handler().count('key-1')).toBe(2);
    const stop = await revoke();
    expect(stop).toMatchObject({ count: 2 });
    await stop.afterCommit?.();
    expect(redis.removeJobScheduler.mock.calls).toEqual([['s2']]);
  });

  it('reads nothing in Redis when it paused no schedule', async () => {
    const { redis, revoke } = setup([], ['other']);
    const stop = await revoke();
    expect(stop).toMatchObject({ count: 0 });
    await stop.afterCommit?.();
    expect(redis.getJobSchedulers).not.toHaveBeenCalled();
    expect(redis.removeJobScheduler).not.toHaveBeenCalled();
  });
});
