import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobSchedulerJson, Queue } from 'bullmq';
import { SCHEDULES_QUEUE, type ScheduleFireJobData } from '../jobs/queues';
import { mayFire, type Schedule, timingOf } from './schedule';
import { schedulerOptions } from './schedule-timing';

export const FIRE_JOB = 'fire';

/**
 * The one producer of schedule fires: one BullMQ job scheduler per schedule that may fire, its id the
 * schedule's id. Postgres has the schedules; Redis only what fires next.
 */
@Injectable()
export class ScheduleQueue {
  constructor(@InjectQueue(SCHEDULES_QUEUE) readonly queue: Queue<ScheduleFireJobData>) {
    // The connection's own listener (RedisConnectionFactory) logs its errors; calls that fail reject.
    queue.on('error', () => undefined);
  }

  /** Puts the schedule's job scheduler in Redis as the schedule says, or takes it out when it may not fire. */
  async put(schedule: Schedule): Promise<void> {
    if (!mayFire(schedule)) return this.remove(schedule.id);
    await this.queue.upsertJobScheduler(schedule.id, schedulerOptions(timingOf(schedule)), {
      name: FIRE_JOB,
      data: { scheduleId: schedule.id },
      opts: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: 100,
      },
    });
  }

  async remove(scheduleId: string): Promise<void> {
    await this.queue.removeJobScheduler(scheduleId);
  }

  /** The job schedulers in Redis, by schedule id. */
  async schedulers(): Promise<Map<string, JobSchedulerJson>> {
    const all = await this.queue.getJobSchedulers(0, -1);
    return new Map(all.map((s) => [s.key, s]));
  }

  /** Whether Redis's scheduler fires as the schedule says (same pattern, zone, period and end). */
  static matches(schedule: Schedule, scheduler: JobSchedulerJson): boolean {
    const wanted = schedulerOptions(timingOf(schedule));
    return (
      (scheduler.pattern ?? undefined) === wanted.pattern &&
      (wanted.pattern === undefined || (scheduler.tz ?? undefined) === wanted.tz) &&
      (scheduler.every === undefined ? undefined : Number(scheduler.every)) === wanted.every &&
      (scheduler.endDate === undefined ? undefined : Number(scheduler.endDate)) === wanted.endDate
    );
  }
}
