import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, type Job, Worker } from 'bullmq';
import { WEBHOOKS_QUEUE, type WebhookDeliveryJobData } from '../jobs/queues';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { WebhookSender } from './webhook-sender';
import { RepeatedWarnings } from '../common/repeated-warnings';
import { workerErrorMessage } from '../jobs/worker-errors';

/** Deliveries attempted at once per process; each waits on a receiver, so more than the CPU suggests. */
const CONCURRENCY = 16;

/**
 * The BullMQ worker of webhook deliveries in this process (APP_ROLE worker or all): each job is one
 * attempt; a delivery to retry moves its own job back to the delayed set, due when the backoff says.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookWorker.name);
  /** Connection errors repeat on every retry while Redis is down: one line per 10 s of them. */
  private readonly warnings = new RepeatedWarnings(this.logger);
  private worker?: Worker<WebhookDeliveryJobData>;

  constructor(
    private readonly connections: RedisConnectionFactory,
    private readonly sender: WebhookSender,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<WebhookDeliveryJobData>(
      WEBHOOKS_QUEUE,
      async (job: Job<WebhookDeliveryJobData>, token?: string) => {
        const next = await this.sender.attempt(job.data.deliveryId);
        if (next?.status !== 'pending') return;
        await job.moveToDelayed(Date.now() + next.delayMs, token);
        throw new DelayedError();
      },
      { connection: this.connections.create('queue'), prefix: this.connections.queuePrefix, concurrency: CONCURRENCY },
    );
    this.worker.on('error', (err) => this.warnings.warn(workerErrorMessage('webhook worker', err)));
    this.worker.on('failed', (job, err) => this.logger.warn(`webhook delivery ${job?.id} failed: ${err.message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
