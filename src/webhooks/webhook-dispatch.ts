import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type Conclusion, Conclusions } from '../workflows/conclusions';
import { WebhookRepository } from './persistence/webhook.repository';
import { WebhookQueue } from './webhook-queue';

/** How far apart the clocks of PostgreSQL and the workers may be. */
const CLOCK_SKEW_MS = 2_000;

/**
 * Turns a task or a run reaching a final status into deliveries: one row per enabled endpoint of its
 * creator subscribed to the event, stored in Postgres, then queued. The task's worker waits for neither
 * the receivers nor Redis: a delivery that could not be queued is queued by the reconciler.
 */
@Injectable()
export class WebhookDispatch implements OnModuleInit {
  private readonly logger = new Logger(WebhookDispatch.name);

  constructor(
    private readonly store: WebhookRepository,
    private readonly queue: WebhookQueue,
    private readonly conclusions: Conclusions,
  ) {}

  onModuleInit(): void {
    this.conclusions.on((concluded) => this.dispatch(concluded));
  }

  /** Makes the deliveries of a task's or a run's conclusion; again for the same conclusion, none. */
  async dispatch({ event: type, id: resourceId, createdBy, finishedAt: occurredAt, view }: Conclusion): Promise<void> {
    // An endpoint made after the finish was not there to receive it (the catch-up reads finishes minutes back).
    // The two times may come from two clocks (PostgreSQL's, a worker's): one made within CLOCK_SKEW_MS of the
    // finish gets it, rather than miss a finish it was there for.
    const endpoints = (await this.store.subscribers(createdBy, type)).filter(
      (e) => !occurredAt || e.createdAt.getTime() <= occurredAt.getTime() + CLOCK_SKEW_MS,
    );
    if (!endpoints.length) return;
    const messageId = `msg_${randomUUID()}`;
    const payload = JSON.stringify({ type, timestamp: new Date().toISOString(), data: view() });
    const stored = await this.store.insertDeliveries(
      endpoints.map((e) => ({ endpointId: e.id, messageId, eventType: type, resourceId, occurredAt, payload })),
    );
    for (const id of stored) {
      await this.queue
        .add(id)
        .catch((err: Error) => this.logger.warn(`webhook delivery ${id} not yet queued: ${err.message}`));
    }
  }
}
