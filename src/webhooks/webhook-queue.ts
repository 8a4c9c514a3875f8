import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { WEBHOOKS_QUEUE, type WebhookDeliveryJobData } from '../jobs/queues';

export const DELIVER_JOB = 'deliver';

/**
 * The one producer of delivery jobs, each one's id its delivery's id: adding a delivery already in Redis
 * changes nothing. Retries are the worker's (it delays the same job), so a job is only ever attempted once
 * by BullMQ itself; a job that errors is dropped, and the reconciler queues its delivery again.
 */
@Injectable()
export class WebhookQueue {
  constructor(@InjectQueue(WEBHOOKS_QUEUE) readonly queue: Queue<WebhookDeliveryJobData>) {
    // The connection's own listener (RedisConnectionFactory) logs its errors; calls that fail reject.
    queue.on('error', () => undefined);
  }

  async add(deliveryId: string, delayMs = 0): Promise<void> {
    await this.queue.add(
      DELIVER_JOB,
      { deliveryId },
      { jobId: deliveryId, delay: Math.max(0, delayMs), removeOnComplete: true, removeOnFail: true },
    );
  }
}
