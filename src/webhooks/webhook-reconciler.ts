import { Injectable, Logger } from '@nestjs/common';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { WebhookRepository } from './persistence/webhook.repository';
import { WebhookQueue } from './webhook-queue';

/** A pending delivery this long past due is taken to have lost its job (Redis restarted empty, a failed add). */
export const OVERDUE_MS = 5000;
/** Deliveries queued again per pass, at most. */
const BATCH = 500;

/**
 * Queues again, once every WEBHOOK_RECONCILE_INTERVAL_MS across the workers, the pending deliveries past due:
 * a delivery still in Redis is left as it is (its job id is its id), a lost one is attempted again.
 */
@PeriodicJob({
  name: 'webhooks.reconcile',
  everyMs: (config) => config.webhooks.reconcileIntervalMs,
  roles: WORKER_ROLES,
})
@Injectable()
export class WebhookReconciler implements PeriodicJobHandler {
  private readonly logger = new Logger(WebhookReconciler.name);

  constructor(
    private readonly store: WebhookRepository,
    private readonly queue: WebhookQueue,
  ) {}

  async run(): Promise<{ queued: number }> {
    const overdue = await this.store.overdue(new Date(Date.now() - OVERDUE_MS), BATCH);
    for (const delivery of overdue) await this.queue.add(delivery.id);
    if (overdue.length) this.logger.debug(`webhooks: ${overdue.length} overdue deliveries queued (again)`);
    return { queued: overdue.length };
  }
}
