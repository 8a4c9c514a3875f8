import { Injectable } from '@nestjs/common';

/**
 * The start of this process's graceful shutdown, from which `SHUTDOWN_TIMEOUT_MS` counts. The first signal marks
 * it (main.ts), before Nest runs any shutdown hook, so a hook that times its part of the shutdown (the worker's
 * hand-back) counts from the same moment as the process's deadline, however long the hooks before it took. A
 * shutdown no signal began (an application closed by its caller) starts at the first hook that asks.
 */
@Injectable()
export class ShutdownDeadline {
  private startedAt?: number;

  /** Marks the shutdown's start; a later call keeps the first. */
  begin(now = Date.now()): void {
    this.startedAt ??= now;
  }

  /** Whether the shutdown has begun. */
  get begun(): boolean {
    return this.startedAt !== undefined;
  }

  /** Milliseconds from `now` until `offsetMs` into the shutdown (0 if past), beginning it if nothing has. */
  msUntil(offsetMs: number, now = Date.now()): number {
    this.begin(now);
    return Math.max(0, (this.startedAt ?? now) + offsetMs - now);
  }
}
