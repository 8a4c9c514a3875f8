import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { cursorAt, type FinishCursor, parseFinishCursor } from '../common/finish-cursor';
import { StoredCursor } from '../common/stored-cursor';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { REDIS } from '../redis/redis.constants';
import { TasksService } from '../tasks/tasks.service';
import { runConclusion, taskConclusion } from '../workflows/conclusions';
import { WorkflowsService } from '../workflows/workflows.service';
import { WebhookRepository } from './persistence/webhook.repository';
import type { CatchUpDeps } from './ports';
import { WebhookDispatch } from './webhook-dispatch';

/** How far back a pass starts when Redis lost where the last one stopped. */
export const CATCH_UP_WINDOW_MS = 10 * 60_000;
/** Finishes read at once, and batches per kind and pass, at most. */
const BATCH = 500;
const BATCHES_PER_PASS = 10;

/**
 * Makes the deliveries of the finishes that a process killed between a task's (or a run's) commit and its
 * deliveries did not make. Once every WEBHOOK_RECONCILE_INTERVAL_MS across the workers it reads the tasks
 * and runs of users with an enabled endpoint that finished since the last pass, up to two periods ago (the
 * finishes still being followed up are left to their process), and dispatches each again: a delivery an
 * endpoint has for the same event and finish is not made twice. Where a pass stopped is kept in Redis; when
 * Redis lost it, the next pass goes back {@link CATCH_UP_WINDOW_MS} (as when what it holds is not a cursor).
 */
@PeriodicJob({
  name: 'webhooks.catch_up',
  everyMs: (config) => config.webhooks.reconcileIntervalMs,
  roles: WORKER_ROLES,
})
@Injectable()
export class WebhookCatchUp implements PeriodicJobHandler {
  private readonly logger = new Logger(WebhookCatchUp.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: CatchUpDeps['cursors'],
    @Inject(WebhookRepository) private readonly store: CatchUpDeps['store'],
    @Inject(WebhookDispatch) private readonly dispatch: CatchUpDeps['dispatch'],
    @Inject(TasksService) private readonly tasks: CatchUpDeps['tasks'],
    @Inject(WorkflowsService) private readonly runs: CatchUpDeps['runs'],
  ) {}

  async run(): Promise<{ tasks: number; runs: number }> {
    const now = Date.now();
    const until = new Date(now - 2 * this.config.webhooks.reconcileIntervalMs);
    const creators = await this.store.subscribedCreators();
    const tasks = await this.pass('tasks', until, creators, now, async (after) => {
      const found = await this.tasks.finishedBetween(after, until, creators, BATCH);
      for (const task of found) await this.dispatch.dispatch(taskConclusion(task));
      return found.map((t) => ({ at: t.finishedAt!, id: t.id }));
    });
    const runs = await this.pass('runs', until, creators, now, async (after) => {
      const found = await this.runs.concludedBetween(after, until, creators, BATCH);
      for (const run of found) await this.dispatch.dispatch(runConclusion(run));
      return found.map((r) => ({ at: r.finishedAt!, id: r.id }));
    });
    if (tasks + runs) this.logger.debug(`webhooks: followed up ${tasks} task and ${runs} run finishes`);
    return { tasks, runs };
  }

  /**
   * One kind's pass from its cursor, batch after batch until one is not full (the cursor then goes to
   * `until`) or the pass has read its share (the cursor stays at the last finish read, for the next pass).
   */
  private async pass(
    kind: 'tasks' | 'runs',
    until: Date,
    creators: string[],
    now: number,
    follow: (after: FinishCursor) => Promise<FinishCursor[]>,
  ): Promise<number> {
    const stored = new StoredCursor(this.redis, `webhooks:catch-up:${kind}`, 2 * CATCH_UP_WINDOW_MS, parseFinishCursor);
    const start = (await stored.read()) ?? cursorAt(new Date(now - CATCH_UP_WINDOW_MS));
    if (start.at >= until) return 0;
    let cursor = start;
    let count = 0;
    for (let batch = 0; ; batch++) {
      const followed = creators.length ? await follow(cursor) : [];
      count += followed.length;
      if (followed.length < BATCH) {
        cursor = cursorAt(until);
        break;
      }
      cursor = followed[followed.length - 1];
      if (batch + 1 === BATCHES_PER_PASS) break;
    }
    await stored.write(cursor);
    return count;
  }
}
