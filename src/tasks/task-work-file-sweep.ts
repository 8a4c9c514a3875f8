import { Injectable, Logger } from '@nestjs/common';
import { isStoredId } from '../common/http/ids';
import { FileStorage } from '../files/file-storage';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { TaskRecoveryQueries } from './persistence/task-recovery-queries';

/** A work file written this recently is left alone: its task may have been submitted a moment ago. */
const IDLE_MS = 600_000;
/** Work files looked at per pass, at most; the next pass takes the rest. */
const PER_PASS = 500;

/**
 * Removes the work files (FILES_DIR's `work/<taskId>.ndjson`, what a data-processor attempt keeps for the next
 * one) of tasks that ended without an attempt to remove them: cancelled or expired while their worker was dead,
 * ended by a failure before their attempt began, purged. A task that has not ended keeps its file, however
 * long it waits for its retry; a later attempt that finds no file starts the file again.
 */
@PeriodicJob({ name: 'tasks.work-file-sweep', everyMs: 600_000, roles: WORKER_ROLES })
@Injectable()
export class TaskWorkFileSweep implements PeriodicJobHandler {
  private readonly logger = new Logger(TaskWorkFileSweep.name);

  constructor(
    private readonly storage: FileStorage,
    private readonly queries: TaskRecoveryQueries,
  ) {}

  async run(): Promise<number> {
    const entries = (await this.storage.idle('work', IDLE_MS, PER_PASS)).filter((e) => isStoredId(e.key));
    const unfinished = await this.queries.unfinishedAmong(entries.map((e) => e.key));
    const ended = entries.filter((e) => !unfinished.has(e.key));
    for (const entry of ended) await this.storage.remove(entry.path);
    if (ended.length) this.logger.log(`removed ${ended.length} work files of ended tasks from FILES_DIR/work`);
    return ended.length;
  }
}
