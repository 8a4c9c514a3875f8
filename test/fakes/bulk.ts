import type { AuditEvent } from '../../src/audit/audit.service';
import type { BulkBatch, BulkTarget } from '../../src/bulk/bulk-targets';
import type { BulkOperation } from '../../src/bulk/persistence/bulk-operation.repository';
import type { BulkMetrics, BulkOperationStore, BulkTargetSource } from '../../src/bulk/ports';
import { NO_TRANSACTION } from './workflows';

/** A running operation on tasks, as the repository stores it. */
export function fakeOperation(fields: Partial<BulkOperation> = {}): BulkOperation {
  const now = new Date();
  return {
    id: 'op-1',
    kind: 'tasks',
    action: 'retry',
    filter: { tag: 'nightly' },
    status: 'queued',
    matched: 0,
    done: 0,
    failed: 0,
    cursor: null,
    snapshotAt: now,
    error: null,
    createdBy: 'alice',
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    ...fields,
  };
}

/** Operations in memory; a batch's progress is kept only when its work resolves, as a commit would. */
export class FakeBulkStore implements Pick<BulkOperationStore, 'start' | 'advance' | 'finish'> {
  readonly ops = new Map<string, BulkOperation>();
  readonly entries: AuditEvent[] = [];

  async start(id: string) {
    const op = this.ops.get(id);
    if (op?.status === 'queued') op.status = 'running';
    return op?.status === 'running' ? op : undefined;
  }

  async advance<T extends { cursor: string | undefined; done: number; failed: number }>(
    id: string,
    work: (em: typeof NO_TRANSACTION, op: BulkOperation) => Promise<T>,
  ) {
    const op = this.ops.get(id);
    if (op?.status !== 'running') return undefined;
    const batch = await work(NO_TRANSACTION, { ...op });
    Object.assign(op, {
      cursor: batch.cursor ?? op.cursor,
      done: op.done + batch.done,
      failed: op.failed + batch.failed,
    });
    return { op, batch };
  }

  async finish(
    id: string,
    status: 'succeeded' | 'failed',
    error: string | null,
    eventOf: (op: BulkOperation) => AuditEvent,
  ) {
    const op = this.ops.get(id);
    if (op?.status !== 'running') return undefined;
    Object.assign(op, { status, error, finishedAt: new Date() });
    this.entries.push(eventOf(op));
    return op;
  }
}

/** Items `ids` in id order; each batch changes those after the cursor, and can be made to fail once. */
export class FakeTarget implements BulkTarget, BulkTargetSource {
  readonly changed: string[] = [];
  failAfter?: number;

  constructor(private readonly ids: string[]) {}

  of(): BulkTarget {
    return this;
  }

  async count() {
    return this.ids.length;
  }

  async applyBatch(
    _em: unknown,
    _action: unknown,
    _filter: unknown,
    _at: Date,
    after: string | null,
    limit: number,
  ): Promise<BulkBatch> {
    if (this.failAfter !== undefined && this.changed.length >= this.failAfter) {
      this.failAfter = undefined;
      throw new Error('worker died');
    }
    const batch = this.ids.filter((id) => after === null || id > after).slice(0, limit);
    this.changed.push(...batch);
    return { lastId: batch[batch.length - 1], done: batch.length, failed: 0, afterCommit: async () => undefined };
  }
}

export class FakeBulkMetrics implements BulkMetrics {
  readonly finished: string[] = [];
  items = 0;

  bulkOperationFinished(_kind: string, _action: string, outcome: string): void {
    this.finished.push(outcome);
  }

  bulkItems(_kind: string, _action: string, done: number): void {
    this.items += done;
  }
}
