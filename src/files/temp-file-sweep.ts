import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PeriodicJob, type PeriodicJobHandler, WORKER_ROLES } from '../jobs/periodic-job';
import { FileStorage } from './file-storage';

/** The longest a task's attempt may run (an agent's or a task's `timeoutMs`), writing its output file in `tmp/`. */
export const LONGEST_ATTEMPT_MS = 3_600_000;
/** Entries removed per pass, at most; the next pass takes the rest. */
const PER_PASS = 1000;

/**
 * Removes what a process killed mid-write left in FILES_DIR's `tmp/`: an upload cut off by a SIGKILL or a lost
 * machine, a task's output file whose worker died. Nothing writes one entry for longer than an upload may take
 * (FILE_UPLOAD_TIMEOUT_MS) or an attempt may run, so an entry not written for longer than both is nobody's.
 */
@PeriodicJob({ name: 'files.temp-sweep', everyMs: 600_000, roles: WORKER_ROLES })
@Injectable()
export class TempFileSweep implements PeriodicJobHandler {
  private readonly logger = new Logger(TempFileSweep.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly storage: FileStorage,
  ) {}

  async run(): Promise<number> {
    const idleMs = Math.max(this.config.files.uploadTimeoutMs, LONGEST_ATTEMPT_MS) + 60_000;
    const entries = await this.storage.idle('tmp', idleMs, PER_PASS);
    for (const entry of entries) await this.storage.remove(entry.path);
    if (entries.length) this.logger.log(`removed ${entries.length} abandoned temporary files from FILES_DIR/tmp`);
    return entries.length;
  }
}
