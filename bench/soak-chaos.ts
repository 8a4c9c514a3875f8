import type { SoakClock } from './soak-clock';
import type { SoakOptions } from './soak-options';
import { sigkill, type SoakProcesses } from './soak-processes';

export interface Kill {
  atMs: number;
  what: 'worker' | 'api' | 'redis';
  name: string;
  pid: number;
}

/**
 * The chaos, on timers from its start: workers SIGKILLed in turn, an API SIGKILLed once, Redis SIGKILLed and
 * restarted empty once; each killed app process is restarted in its slot.
 */
export class Chaos {
  readonly start = Date.now();
  readonly kills: Kill[] = [];
  /** When, into the chaos, Redis was wiped. */
  wipeAtMs: number | undefined;
  /** Worker ticks that found a worker still starting. */
  skippedTicks = 0;
  private readonly restarts: Promise<unknown>[] = [];
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: SoakOptions,
    private readonly processes: SoakProcesses,
    private readonly clock: SoakClock,
  ) {}

  /** Time into the chaos, ms. */
  since(): number {
    return Date.now() - this.start;
  }

  /** Starts the chaos in the background (nothing when the options say none). */
  begin(): void {
    this.running = this.run();
    this.running.catch(() => undefined); // awaited by finished()
  }

  /** The chaos over, and every process it killed restarted. */
  async finished(): Promise<void> {
    await this.running;
    await Promise.all(this.restarts);
  }

  /**
   * Every tick a worker is SIGKILLed, the one up the longest, while the other one is up: a restart can take
   * longer than a tick on a busy machine, and a platform with no worker at all proves nothing. A tick that
   * finds a worker still starting is skipped (and counted). Redis is wiped a few seconds after the first
   * kill past half the window (at the window's end if there was none), while that worker's jobs are still
   * locked; an API is killed once.
   */
  private async run(): Promise<void> {
    const options = this.options;
    if (!options.chaos) return;
    let nextTick = options.killIntervalMs;
    let apiDue: number | undefined = options.apiKillAtMs < options.durationMs ? options.apiKillAtMs : undefined;
    let wipeDue: number | undefined;
    let wiped = false;
    for (let step = 0; step < 10_000; step++) {
      const tick = nextTick < options.durationMs ? nextTick : Infinity;
      const next = Math.min(tick, apiDue ?? Infinity, wipeDue ?? Infinity);
      if (next === Infinity) break;
      const wait = this.start + next - Date.now();
      if (wait > 0) await this.clock.pause(wait);
      if (next === apiDue) {
        apiDue = undefined;
        await this.killApi(1);
      } else if (next === wipeDue) {
        wipeDue = undefined;
        wiped = true;
        await this.wipeRedis();
      } else {
        nextTick += options.killIntervalMs;
        const up = [0, 1].filter((i) => this.upFor(i) !== undefined);
        if (up.length < 2) {
          this.skippedTicks += 1;
          continue;
        }
        await this.killWorker(this.upFor(0)! >= this.upFor(1)! ? 0 : 1);
        if (!wiped && wipeDue === undefined && this.since() >= options.durationMs / 2)
          wipeDue = this.since() + options.redisAfterKillMs;
      }
    }
    if (!wiped) await this.wipeRedis();
  }

  private upFor(slot: number): number | undefined {
    const upSince = this.processes.workers[slot].upSince;
    return upSince === undefined ? undefined : Date.now() - upSince;
  }

  private async killWorker(index: number): Promise<void> {
    const slot = this.processes.workers[index];
    const proc = slot.proc!;
    slot.upSince = undefined;
    await sigkill(proc);
    this.kills.push({ atMs: this.since(), what: 'worker', name: proc.name, pid: proc.child.pid ?? 0 });
    this.options.log(`${this.clock.stamp()} chaos: SIGKILL ${proc.name} (pid ${proc.child.pid})`);
    const killedAt = Date.now();
    const restart = this.processes.startApp('worker', index).then((next) => {
      slot.upSince = Date.now();
      this.options.log(
        `${this.clock.stamp()} chaos: ${next.name} up, ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
      );
    });
    restart.catch(() => undefined); // awaited by finished(), with the other restarts
    this.restarts.push(restart);
  }

  private async killApi(index: number): Promise<void> {
    const slot = this.processes.apis[index];
    const proc = slot.proc!;
    // Killed while serving: requests in flight on it are reset, and the client retries them elsewhere.
    await sigkill(proc);
    slot.url = undefined;
    this.kills.push({ atMs: this.since(), what: 'api', name: proc.name, pid: proc.child.pid ?? 0 });
    this.options.log(`${this.clock.stamp()} chaos: SIGKILL ${proc.name} (pid ${proc.child.pid})`);
    const killedAt = Date.now();
    const restart = this.processes
      .startApp('api', index)
      .then((next) =>
        this.options.log(
          `${this.clock.stamp()} chaos: ${next.name} up, ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
        ),
      );
    restart.catch(() => undefined); // awaited by finished(), with the other restarts
    this.restarts.push(restart);
  }

  private async wipeRedis(): Promise<void> {
    const proc = this.processes.redis!;
    await sigkill(proc);
    this.wipeAtMs = this.since();
    this.kills.push({ atMs: this.wipeAtMs, what: 'redis', name: proc.name, pid: proc.child.pid ?? 0 });
    this.options.log(`${this.clock.stamp()} chaos: SIGKILL ${proc.name} (pid ${proc.child.pid}); restarting it empty`);
    await this.clock.pause(this.options.redisDownMs);
    await this.processes.startRedis();
    this.options.log(`${this.clock.stamp()} chaos: redis is back, empty`);
  }
}
