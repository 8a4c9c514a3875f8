import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { BULK_QUEUE, type BulkOperationJobData } from '../jobs/queues';

export const BULK_JOB = 'run';
/** Attempts of one operation's job before the operation is failed; each attempt resumes from the cursor. */
export const BULK_JOB_ATTEMPTS = 3;

/**
 * The one producer of bulk jobs, each one's id its operation's id: adding an operation already in Redis
 * changes nothing. An ended job is dropped, so the reconciler can queue its operation again.
 */
@Injectable()
export class BulkQueue {
  constructor(@InjectQueue(BULK_QUEUE) readonly queue: Queue<BulkOperationJobData>) {
    // The connection's own listener (RedisConnectionFactory) logs its errors; calls that fail reject.
    queue.on('error', () => undefined);
  }

  async add(operationId: string): Promise<void> {
    await this.queue.add(
      BULK_JOB,
      { operationId },
      {
        jobId: operationId,
        attempts: BULK_JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Whether Redis still holds the operation's job (waiting, delayed, active…). */
  async holds(operationId: string): Promise<boolean> {
    return (await this.queue.getJobState(operationId)) !== 'unknown';
  }
}
