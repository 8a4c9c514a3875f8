import { setTimeout as sleep } from 'node:timers/promises';

/** The soak was aborted: thrown out of its waits, never retried. */
export class SoakError extends Error {}

/** The run's clock: the time into the run for its log, and pauses that end when the run is aborted. */
export class SoakClock {
  private readonly started = Date.now();

  constructor(private readonly signal?: AbortSignal) {}

  elapsed(): number {
    return Date.now() - this.started;
  }

  stamp(): string {
    return `${(this.elapsed() / 1000).toFixed(1).padStart(6)}s`;
  }

  checkAborted(): void {
    if (this.signal?.aborted) throw new SoakError('aborted');
  }

  async pause(ms: number): Promise<void> {
    this.checkAborted();
    await sleep(ms, undefined, this.signal ? { signal: this.signal } : undefined).catch(() => undefined);
    this.checkAborted();
  }
}
