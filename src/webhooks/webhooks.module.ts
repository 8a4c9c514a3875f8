import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import type { AppRole } from '../config/app-config';
import { WEBHOOKS_QUEUE } from '../jobs/queues';
import { WebhookRepository } from './persistence/webhook.repository';
import { WebhookCatchUp } from './webhook-catch-up';
import { WebhookDispatch } from './webhook-dispatch';
import { WebhookQueue } from './webhook-queue';
import { WebhookReconciler } from './webhook-reconciler';
import { WebhookSender } from './webhook-sender';
import { WebhookWorker } from './webhook-worker';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * Endpoints everywhere, and deliveries made wherever a task or a run concludes (workers, and the API for
 * cancels); attempts only where APP_ROLE runs workers (the reconciler declares its roles).
 */
@Module({})
export class WebhooksModule {
  static forRole(role: AppRole): DynamicModule {
    const works = role !== 'api';
    return {
      module: WebhooksModule,
      imports: [BullModule.registerQueue({ name: WEBHOOKS_QUEUE }), AgentsModule, ApiKeysModule],
      controllers: [WebhooksController],
      providers: [
        WebhookRepository,
        WebhookQueue,
        WebhooksService,
        WebhookDispatch,
        WebhookSender,
        WebhookReconciler,
        WebhookCatchUp,
        ...(works ? [WebhookWorker] : []),
      ],
    };
  }
}
