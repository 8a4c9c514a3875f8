import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { WorkflowEngine } from './workflow-engine';

/** On workers: advances running runs now and then, in case a process died between a step's end and the run's. */
@Injectable()
export class WorkflowSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkflowSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly engine: WorkflowEngine,
  ) {}

  onApplicationBootstrap(): void {
    const sweep = () => void this.engine.sweep().catch((err: Error) => this.logger.warn(`sweep: ${err.message}`));
    sweep();
    this.timer = setInterval(sweep, this.config.queue.reconcileIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
