import type { Client } from 'pg';
import type { Proc } from './harness';

/**
 * One run of `npm run bench`: an api process (and a worker once a scenario starts it) on the run's own
 * database and Redis prefix, a ceiling process to compare with, the admin's token and a calculator agent.
 * A scenario that needs a platform of its own (another database, other settings) starts one with
 * `launchPlatform` (bench/platform.ts).
 */
export interface BenchContext {
  apiUrl: string;
  ceilingUrl: string;
  accessToken: string;
  /** A token the ceiling accepts. */
  ceilingToken: string;
  agentId: string;
  /** The run's database, as the bench's own connection. */
  db: Client;
  api: Proc;
  /** The ceiling process, when the platform was started with one. */
  ceiling?: Proc;
  /** The environment the run's processes start with. */
  env: Record<string, string | undefined>;
  /** The run's Redis prefix. */
  prefix: string;
  /** The worker process, started on first call. */
  worker(): Promise<Proc>;
  /** Calls the API as the admin (POST when a body is given). */
  call<T>(path: string, body?: unknown): Promise<T>;
}
