import type { Logger } from '@nestjs/common';

/**
 * An in-process timer for in-process concerns (this process's heap, its buffered state, its own writes):
 * never keeps the process alive, never lets a failing tick go unheard or stop the next one. Work every
 * process of the cluster shares is a {@link PeriodicJob} instead, run once per period cluster-wide.
 */
export class ProcessTimer {
  private interval?: NodeJS.Timeout;
  private pending?: NodeJS.Timeout;

  /**
   * @param name says which timer failed, in the warning a failing tick logs.
   * @param ms the period of {@link start}, and the delay of {@link trigger}.
   */
  constructor(
    private readonly name: string,
    private readonly ms: number,
    private readonly tick: () => unknown,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** Runs the tick every period until {@link stop}. */
  start(): this {
    this.stop();
    this.interval = setInterval(() => this.run(), this.ms);
    this.interval.unref();
    return this;
  }

  /** Runs the tick once, a period from now; calls meanwhile fold into that one run. */
  trigger(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.run();
    }, this.ms);
    this.pending.unref();
  }

  stop(): void {
    clearInterval(this.interval);
    clearTimeout(this.pending);
    this.interval = this.pending = undefined;
  }

  private run(): void {
    try {
      const result = this.tick();
      if (result instanceof Promise) result.catch((err: unknown) => this.fail(err));
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.logger.warn(`${this.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
