import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TaskBulkActions, type TaskFilter } from '../tasks/task-bulk-actions';
import { RunBulkActions, type RunFilter } from '../workflows/run-bulk-actions';
import { type StoredFilter, text, timeBounds } from './bulk-filter';
import type { BulkAction, BulkKind } from './entities/bulk-operation.entity';

/** One batch of an operation: its last id (the cursor), what changed, and what follows its commit. */
export interface BulkBatch {
  lastId: string | undefined;
  done: number;
  failed: number;
  afterCommit(): Promise<void>;
}

/** What a bulk operation acts on: counts its matches, and changes them a batch at a time in id order. */
export interface BulkTarget {
  count(action: BulkAction, filter: StoredFilter, snapshotAt: Date): Promise<number>;
  applyBatch(
    em: EntityManager,
    action: BulkAction,
    filter: StoredFilter,
    snapshotAt: Date,
    after: string | null,
    limit: number,
  ): Promise<BulkBatch>;
}

function taskFilter(filter: StoredFilter, snapshotAt: Date): TaskFilter {
  return {
    createdBy: filter.createdBy,
    status: text(filter, 'status'),
    agentId: text(filter, 'agentId'),
    errorCode: text(filter, 'errorCode'),
    tag: text(filter, 'tag'),
    metadata: filter.metadata as Record<string, string> | undefined,
    ...timeBounds(filter, snapshotAt),
  };
}

function runFilter(filter: StoredFilter, snapshotAt: Date): RunFilter {
  return {
    createdBy: filter.createdBy,
    status: text(filter, 'status'),
    workflowId: text(filter, 'workflowId'),
    ...timeBounds(filter, snapshotAt),
  };
}

/** The kinds of item a bulk operation can act on, each through its own module's bulk actions. */
@Injectable()
export class BulkTargets {
  private readonly targets: Record<BulkKind, BulkTarget>;

  constructor(tasks: TaskBulkActions, runs: RunBulkActions) {
    this.targets = {
      tasks: {
        count: (action, filter, at) => tasks.count(action, taskFilter(filter, at)),
        applyBatch: (em, action, filter, at, after, limit) =>
          tasks.applyBatch(em, action, taskFilter(filter, at), after, limit),
      },
      'workflow-runs': {
        count: (action, filter, at) => runs.count(action, runFilter(filter, at)),
        applyBatch: (em, action, filter, at, after, limit) =>
          runs.applyBatch(em, action, runFilter(filter, at), after, limit),
      },
    };
  }

  of(kind: BulkKind): BulkTarget {
    return this.targets[kind];
  }
}
