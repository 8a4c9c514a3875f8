import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { isStoredId } from '../common/http/ids';
import { StoredCursor, storedObject } from '../common/stored-cursor';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { REDIS } from '../redis/redis.constants';
import type { RunningCursor } from './persistence/workflow-run.repository';
import { StepWaitReconciler } from './step-wait-reconciler';
import { WorkflowEngine } from './workflow-engine';

/** Where the next pass goes on from, whichever worker runs it. */
const CURSOR_KEY = 'workflows-sweep-cursor';
const CURSOR_TTL_MS = 86_400_000;
/** A `timestamptz` as Postgres writes it as text. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/**
 * Advances running runs, once every QUEUE_RECONCILE_INTERVAL_MS across the workers, in case a process died
 * between a step's end and the run's; and looks after waits whose job Redis lost (StepWaitReconciler). Each pass
 * takes the next page of running runs (the longest untouched first, then on from where the last pass stopped,
 * and from the start again after the last page): however many runs stay running for long, each is looked at in
 * turn.
 */
@PeriodicJob({ name: 'workflows.sweep', everyMs: (config) => config.queue.reconcileIntervalMs, roles: WORKER_ROLES })
@Injectable()
export class WorkflowSweeper implements PeriodicJobHandler {
  constructor(
    private readonly engine: WorkflowEngine,
    private readonly waits: StepWaitReconciler,
    @Inject(REDIS) private readonly redis: Pick<Redis, 'get' | 'set' | 'del'>,
  ) {}

  async run(): Promise<number> {
    const swept = await this.sweep();
    await this.waits.run();
    return swept;
  }

  async sweep(): Promise<number> {
    const cursor = new StoredCursor(this.redis, CURSOR_KEY, CURSOR_TTL_MS, parseRunningCursor);
    const { swept, next } = await this.engine.sweep(await cursor.read());
    await cursor.write(next);
    return swept;
  }
}

/** A stored cursor, or none (the first page) when it is not one. */
function parseRunningCursor(value: unknown): RunningCursor | undefined {
  const { id, at } = storedObject(value) ?? {};
  return isStoredId(id) && typeof at === 'string' && TIMESTAMP.test(at) ? { id, at } : undefined;
}
