import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app.error';
import { type RunFilter, WorkflowRunRepository } from './persistence/workflow-run.repository';
import { RETRYABLE_RUN_STATUSES, RunRetry } from './run-retry';
import { RunCancellation } from './run-cancellation';

export type { RunFilter };
/** The list's filters, which a bulk operation on runs takes too. */
export { WorkflowRunQueryDto } from './dto/run-query.dto';
export type RunBulkAction = 'retry' | 'cancel';

/** Runs a batch changes at most: each is its own transaction and engine pass. */
const MAX_RUN_BATCH = 100;

/**
 * Retry and cancel of every run a filter matches, a batch at a time, with the rules of one run's retry and
 * cancel: only failed and cancelled runs are retried, only running ones cancelled. Each run changes under its
 * own lock while the batch's transaction is open, so the operation's cursor commits after its runs did: a
 * resumed operation reads the batch again and finds the runs it changed no longer matching.
 */
@Injectable()
export class RunBulkActions {
  constructor(
    @Inject(WorkflowRunRepository) private readonly runs: WorkflowRunRepository,
    private readonly retries: RunRetry,
    private readonly cancellation: RunCancellation,
  ) {}

  static applicable(action: RunBulkAction, filter: RunFilter): RunFilter {
    const allowed = action === 'retry' ? RETRYABLE_RUN_STATUSES : ['running'];
    const statuses = filter.status === undefined ? allowed : allowed.filter((s) => s === filter.status);
    return { ...filter, status: undefined, statuses };
  }

  count(action: RunBulkAction, filter: RunFilter): Promise<number> {
    return this.runs.count(RunBulkActions.applicable(action, filter));
  }

  async applyBatch(em: EntityManager, action: RunBulkAction, filter: RunFilter, after: string | null, limit: number) {
    const ids = await this.runs.idsAfter(
      em,
      RunBulkActions.applicable(action, filter),
      after,
      Math.min(limit, MAX_RUN_BATCH),
    );
    let done = 0;
    for (const id of ids) if (await this.apply(action, id)) done += 1;
    return { lastId: ids[ids.length - 1], done, failed: ids.length - done, afterCommit: async () => undefined };
  }

  /** False when the run had moved on (its status no longer allows the action). */
  private async apply(action: RunBulkAction, id: string): Promise<boolean> {
    const change =
      action === 'retry' ? this.retries.retry(id, undefined, false) : this.cancellation.cancel(id, undefined, false);
    return change.then(
      () => true,
      (err: unknown) => {
        if (err instanceof AppError) return false;
        throw err;
      },
    );
  }
}
