import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { TRIGGERS_QUEUE, type TriggerStartJobData } from '../../jobs/queues';
import { triggerKey, type TriggerEvent } from './trigger-definition';

export const START_JOB = 'start';
/** Attempts of one start (Postgres away, a lock timeout); after them the reconciler queues it again. */
const ATTEMPTS = 5;

/**
 * The one producer of trigger starts. A job's id is the start's idempotency key (BullMQ ids cannot hold
 * `:`, so `/` stands for it): a start already waiting in Redis is not queued twice, and one queued again
 * after it ran finds its run and starts nothing.
 */
@Injectable()
export class TriggerQueue {
  constructor(@InjectQueue(TRIGGERS_QUEUE) readonly queue: Queue<TriggerStartJobData>) {
    // The connection's own listener (RedisConnectionFactory) logs its errors; calls that fail reject.
    queue.on('error', () => undefined);
  }

  async add(workflowId: string, event: TriggerEvent, sourceId: string): Promise<void> {
    await this.queue.add(
      START_JOB,
      { workflowId, event, sourceId },
      {
        jobId: triggerKey(workflowId, event, sourceId).replaceAll(':', '/'),
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }
}
