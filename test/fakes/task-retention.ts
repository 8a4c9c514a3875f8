import type { PurgedBatch } from '../../src/tasks/persistence/task-retention-queries';
import type { PurgeBatches, PurgeMetrics } from '../../src/tasks/ports';

/** Finished tasks by finish time; `purgeBatch` deletes the oldest before the cutoff, as the statement does. */
export class FakePurgeBatches implements PurgeBatches {
  readonly calls: { before: Date; limit: number }[] = [];

  constructor(public finishedAt: Date[]) {}

  async purgeBatch(before: Date, limit: number): Promise<PurgedBatch> {
    this.calls.push({ before, limit });
    const sorted = [...this.finishedAt].sort((a, b) => a.getTime() - b.getTime());
    const doomed = sorted.filter((at) => at < before).slice(0, limit);
    this.finishedAt = sorted.slice(doomed.length);
    return { count: doomed.length };
  }
}

export class FakePurgeMetrics implements PurgeMetrics {
  purged = 0;

  tasksPurged(count: number): void {
    this.purged += count;
  }
}
