import { DiscoveryService } from '@nestjs/core';
import type { AppConfig, AppRole } from '../config/app-config';

/** What a periodic job declares about itself, beside its handler. */
export interface PeriodicJobDeclaration {
  /** Unique across the application: the job scheduler's id and the job's name in the maintenance queue. */
  name: string;
  /** The period, fixed or read from the configuration. */
  everyMs: number | ((config: AppConfig) => number);
  /** The roles (APP_ROLE) whose processes run it. */
  roles: readonly AppRole[];
}

/** A periodic job's handler: an injectable whose `run` does one pass. */
export interface PeriodicJobHandler {
  run(): Promise<unknown>;
}

/**
 * Marks an injectable as a periodic job: once per period across every process of the listed roles (not once
 * per process), the maintenance queue's job scheduler hands one of them a job and it calls `run`. A new
 * background job is this decorator on one provider of its feature's module; nothing else registers it.
 */
export const PeriodicJob = DiscoveryService.createDecorator<PeriodicJobDeclaration>();

/** Roles that run the work of queue workers. */
export const WORKER_ROLES: readonly AppRole[] = ['worker', 'all'];
