import type { AppConfig, AppRole } from '../config/app-config';
import type { PeriodicJobDeclaration, PeriodicJobHandler } from './periodic-job';
import { maintenanceQueue } from './queues';

/** A declared periodic job with its period resolved and its handler. */
export interface RegisteredJob {
  name: string;
  everyMs: number;
  roles: readonly AppRole[];
  /** The maintenance queue of its roles. */
  queue: string;
  handler: PeriodicJobHandler;
}

export class JobDeclarationError extends Error {}

/**
 * The periodic jobs of the application. Refuses at start-up what would otherwise fail quietly later: two jobs
 * of one name (one would run the other's schedule), a period that is not a positive whole number of
 * milliseconds, a job no role runs, a handler without `run`.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, RegisteredJob>();

  constructor(declarations: { declaration: PeriodicJobDeclaration; handler: PeriodicJobHandler }[], config: AppConfig) {
    for (const { declaration, handler } of declarations) {
      const { name, roles } = declaration;
      const everyMs = typeof declaration.everyMs === 'function' ? declaration.everyMs(config) : declaration.everyMs;
      if (!name) throw new JobDeclarationError('a periodic job has no name');
      if (this.jobs.has(name)) throw new JobDeclarationError(`two periodic jobs are named ${name}`);
      if (!Number.isInteger(everyMs) || everyMs <= 0) {
        throw new JobDeclarationError(`periodic job ${name}: everyMs must be a positive integer, not ${everyMs}`);
      }
      if (!roles.length) throw new JobDeclarationError(`periodic job ${name}: no role runs it`);
      if (typeof handler?.run !== 'function') throw new JobDeclarationError(`periodic job ${name}: no run() method`);
      this.jobs.set(name, { name, everyMs, roles, queue: maintenanceQueue(roles), handler });
    }
  }

  get(name: string): RegisteredJob | undefined {
    return this.jobs.get(name);
  }

  /** The jobs processes of this role run. */
  forRole(role: AppRole): RegisteredJob[] {
    return [...this.jobs.values()].filter((job) => job.roles.includes(role));
  }
}
