import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the process looks at itself. */
const CHECK_MS = 1000;
/** Below this share of the last interval spent working, the process counts as idle. */
const IDLE_UTILIZATION = 0.1;
/** Heap growth (used, or committed) since the last collection that makes one worth it. */
const GROWTH_BYTES = 32 * 1024 * 1024;

type HeapFigures = Pick<NodeJS.MemoryUsage, 'heapUsed' | 'heapTotal'>;

/** Whether the heap grew enough since `before` for a full collection to be worth it. */
export function grown(before: HeapFigures, now: HeapFigures): boolean {
  return now.heapUsed - before.heapUsed >= GROWTH_BYTES || now.heapTotal - before.heapTotal >= GROWTH_BYTES;
}

/**
 * Gives memory back after a burst. V8 collects when it allocates, so a process that goes quiet after a
 * burst keeps the burst's garbage, and its resident memory, until traffic returns. Once the event loop
 * has been idle for a check interval and the heap has grown by more than 32 MB since the last full
 * collection, this runs one (a few tens of milliseconds, while nothing is waiting). Growth counts in used
 * memory or in memory V8 holds for the heap: a worker's burst can leave few live objects behind yet 60 MB
 * more committed, which a full collection gives back.
 */
@Injectable()
export class IdleHeapTrimmer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdleHeapTrimmer.name);
  private timer?: NodeJS.Timeout;
  private collect?: () => void;
  private baseline = process.memoryUsage();
  private utilization = performance.eventLoopUtilization();

  onApplicationBootstrap(): void {
    try {
      setFlagsFromString('--expose-gc');
      this.collect = runInNewContext('gc') as () => void;
    } catch (err) {
      this.logger.warn(`idle heap trimming is off: ${(err as Error).message}`);
      return;
    }
    this.timer = setInterval(() => this.check(), CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const window = performance.eventLoopUtilization(this.utilization);
    this.utilization = performance.eventLoopUtilization();
    if (window.utilization > IDLE_UTILIZATION || !grown(this.baseline, process.memoryUsage())) return;
    // Twice: the second collection finds the first one's survivors settled and shrinks the heap further.
    this.collect?.();
    this.collect?.();
    this.baseline = process.memoryUsage();
  }
}
