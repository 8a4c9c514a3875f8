import type Redis from 'ioredis';
import type { TasksService } from '../tasks/tasks.service';
import type { WorkflowsService } from '../workflows/workflows.service';
import type { WebhookRepository } from './persistence/webhook.repository';
import type { WebhookDispatch } from './webhook-dispatch';

/** What the catch-up pass needs of its collaborators, as interfaces (Nest injects the real classes). */
export interface CatchUpDeps {
  cursors: Pick<Redis, 'get' | 'set' | 'del'>;
  store: Pick<WebhookRepository, 'subscribedCreators'>;
  dispatch: Pick<WebhookDispatch, 'dispatch'>;
  tasks: Pick<TasksService, 'finishedBetween'>;
  runs: Pick<WorkflowsService, 'concludedBetween'>;
}
