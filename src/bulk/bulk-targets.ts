import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TaskBulkActions, type TaskFilter } from '../tasks/task-bulk-actions';
import { RunBulkActions, type RunFilter } from '../workflows/run-bulk-actions';
import { type StoredFilter, text, timeBounds } from './bulk-filter';
import type { BulkRunFilterDto, BulkTaskFilterDto } from './dto/bulk.dto';
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

/**
 * How each field of a bulk request's filter is read from the stored filter into the list's filter: one reader
 * per field of the request's DTO (the list's query, whose filter the operation promises to apply). A field the
 * list gains does not compile until it is read here, and a field the list's filter does not know cannot be
 * read at all, so an operation never reaches items its list would not show.
 */
type FieldReaders<Dto, Filter> = {
  [K in keyof Required<Dto>]: K extends keyof Filter ? (filter: StoredFilter, snapshotAt: Date) => Filter[K] : never;
};

const TASK_FIELDS: FieldReaders<BulkTaskFilterDto, TaskFilter> = {
  status: (filter) => text(filter, 'status'),
  agentId: (filter) => text(filter, 'agentId'),
  errorCode: (filter) => text(filter, 'errorCode'),
  tag: (filter) => text(filter, 'tag'),
  metadata: (filter) => filter.metadata as Record<string, string> | undefined,
  createdAfter: (filter, at) => timeBounds(filter, at).createdAfter,
  createdBefore: (filter, at) => timeBounds(filter, at).createdBefore,
};

const RUN_FIELDS: FieldReaders<BulkRunFilterDto, RunFilter> = {
  status: (filter) => text(filter, 'status'),
  workflowId: (filter) => text(filter, 'workflowId'),
  tag: (filter) => text(filter, 'tag'),
  createdAfter: (filter, at) => timeBounds(filter, at).createdAfter,
  createdBefore: (filter, at) => timeBounds(filter, at).createdBefore,
};

/** The stored filter as the list's, every field read, within the caller's scope and the operation's snapshot. */
function readFilter<Filter extends { createdBy?: string }>(
  readers: Record<string, (filter: StoredFilter, snapshotAt: Date) => unknown>,
  filter: StoredFilter,
  snapshotAt: Date,
): Filter {
  const fields = Object.entries(readers).map(([key, read]) => [key, read(filter, snapshotAt)]);
  return { ...Object.fromEntries(fields), createdBy: filter.createdBy } as Filter;
}

export const taskFilter = (filter: StoredFilter, snapshotAt: Date) =>
  readFilter<TaskFilter>(TASK_FIELDS, filter, snapshotAt);

export const runFilter = (filter: StoredFilter, snapshotAt: Date) =>
  readFilter<RunFilter>(RUN_FIELDS, filter, snapshotAt);

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
