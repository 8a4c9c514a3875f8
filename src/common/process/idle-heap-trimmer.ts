import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { ProcessTimer } from '../../jobs/process-timer';

/** How often the process looks at itself. */
const CHECK_MS = 1000;
/** Below this share of the last interval spent working, the process counts as idle. */
const IDLE_UTILIZATION = 0.1;
/** Heap growth (used, or committed) since the last collection that makes one worth it. */
const GROWTH_BYTES = 32 * 1024 * 1024;

/** Memory V8 holds for the heap beyond what is in use that is worth a follow-up collection. */
const SLACK_BYTES = 16 * 1024 * 1024;
/** Time between a collection and a follow-up, and how many follow-ups at most. */
const FOLLOW_UP_MS = 5000;
const FOLLOW_UPS = 6;

type HeapFigures = Pick<NodeJS.MemoryUsage, 'heapUsed' | 'heapTotal'>;

/** Whether the heap grew enough since `before` for a full collection to be worth it. */
export function grown(before: HeapFigures, now: HeapFigures): boolean {
  return now.heapUsed - before.heapUsed >= GROWTH_BYTES || now.heapTotal - before.heapTotal >= GROWTH_BYTES;
}

export interface TrimState {
  /** The heap right after the last collection. */
  baseline: HeapFigures;
  /** When it ran (ms, monotonic), and how many follow-ups it may still have. */
  collectedAt: number;
  followUps: number;
}

/**
 * What an idle process does now: a collection when the heap grew since the last one; a follow-up when
 * the last one left much committed memory unused and a few seconds have passed (V8 gives back its young
 * generation, up to 32 MB after a burst, only in a collection made once allocation has been low for some
 * seconds); otherwise nothing.
 */
export function trimStep(state: TrimState, now: HeapFigures, at: number): 'collect' | 'follow-up' | 'none' {
  if (grown(state.baseline, now)) return 'collect';
  if (state.followUps === 0 || at - state.collectedAt < FOLLOW_UP_MS) return 'none';
  return now.heapTotal - now.heapUsed >= SLACK_BYTES ? 'follow-up' : 'none';
}

/**
 * Gives memory back after a burst. V8 collects when it allocates, so a process that goes quiet after a
 * burst keeps the burst's garbage, and its resident memory, until traffic returns. Once the event loop
 * has been idle for a check interval and the heap has grown by more than 32 MB since the last full
 * collection, this runs one (a few tens of milliseconds, while nothing is waiting). Growth counts in used
 * memory or in memory V8 holds for the heap: a worker's burst can leave few live objects behind yet 60 MB
 * more committed, which a full collection gives back. While a collection leaves much of the heap committed
 * but unused, up to six follow-ups come 5 s apart (see {@link trimStep}). It needs node's `--expose-gc`
 * (set by `npm start` and the Docker image); without it, it stays off.
 */
@Injectable()
export class IdleHeapTrimmer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdleHeapTrimmer.name);
  private readonly timer = new ProcessTimer('idle heap trimming', CHECK_MS, () => this.check(), this.logger);
  private collect?: () => void;
  private state: TrimState = { baseline: process.memoryUsage(), collectedAt: 0, followUps: 0 };
  private utilization = performance.eventLoopUtilization();

  onApplicationBootstrap(): void {
    // Node exposes `gc` only when started with --expose-gc (as `npm start` and the image do).
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc !== 'function') {
      this.logger.log('idle heap trimming is off: start node with --expose-gc to give memory back after bursts');
      return;
    }
    this.collect = gc;
    this.timer.start();
  }

  onApplicationShutdown(): void {
    this.timer.stop();
  }

  private check(): void {
    const window = performance.eventLoopUtilization(this.utilization);
    this.utilization = performance.eventLoopUtilization();
    if (window.utilization > IDLE_UTILIZATION) return;
    const step = trimStep(this.state, process.memoryUsage(), performance.now());
    if (step === 'none') return;
    // A first collection runs twice: the second finds the first one's survivors settled and shrinks the heap
    // further.
    this.collect?.();
    if (step === 'collect') this.collect?.();
    this.state = {
      baseline: process.memoryUsage(),
      collectedAt: performance.now(),
      followUps: step === 'collect' ? FOLLOW_UPS : this.state.followUps - 1,
    };
  }
}
