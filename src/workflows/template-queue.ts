import { LRUCache } from 'lru-cache';

/**
 * Owners whose recent cost per job is remembered, at most, and for how long without a new measurement (their
 * templates change, and so does the load): one forgotten counts as slow again until measured.
 */
const OWNERS_KEPT = 10_000;
const COST_KEPT_MS = 10 * 60_000;
/**
 * How far one measurement moves an owner's cost towards it. One slower than a whole message's target raises it
 * at once: an owner whose templates turn slow sends them one at a time from then on.
 */
const MEASUREMENT_WEIGHT = 0.25;

/** A waiting evaluation, and the user on whose behalf it is made. */
export interface OwnedJob {
  readonly owner: string;
}

/**
 * The template threads' waiting jobs, kept per owner (first in, first out within an owner), and what each
 * owner's jobs have cost lately. A message for an idle thread starts with the owner holding the fewest threads
 * (the longest waiting first among equals), then takes jobs round-robin across owners while their expected
 * time stays within the target: one owner's long queue or slow templates get its share of the threads, not
 * all of them, while a fan-out of fast renderings still goes in a few messages.
 */
export class TemplateQueue<J extends OwnedJob> {
  /** Owners with jobs waiting, in turn: the first is the next among those holding as many threads. */
  private waiting = new Map<string, J[]>();
  private readonly costs = new LRUCache<string, number>({ max: OWNERS_KEPT, ttl: COST_KEPT_MS });
  private count = 0;

  /** `targetMs`: the expected time of one message's jobs, at most, unless one job alone is expected to take more. */
  constructor(private readonly targetMs: number) {}

  /** The jobs waiting, of every owner. */
  get size(): number {
    return this.count;
  }

  push(job: J): void {
    const jobs = this.waiting.get(job.owner);
    if (jobs) jobs.push(job);
    else this.waiting.set(job.owner, [job]);
    this.count += 1;
  }

  /** Jobs sent to a thread and not begun: back at the front of their owners' queues, those owners first in turn. */
  putBack(jobs: readonly J[]): void {
    if (!jobs.length) return;
    const returned = new Map<string, J[]>();
    for (const job of jobs) returned.set(job.owner, [...(returned.get(job.owner) ?? []), job]);
    for (const [owner, own] of returned) own.push(...(this.waiting.get(owner) ?? []));
    for (const [owner, own] of this.waiting) if (!returned.has(owner)) returned.set(owner, own);
    this.waiting = returned;
    this.count += jobs.length;
  }

  /**
   * The jobs of one message, at most `max`: `held` counts, by owner, the threads evaluating that owner's jobs.
   * The first job always goes; an owner whose cost is not known counts as slow, so its job goes alone.
   */
  take(max: number, held: ReadonlyMap<string, number> = new Map()): J[] {
    const lead = this.lead(held);
    if (lead === undefined) return [];
    let expected = this.costOf(lead);
    const taken = [this.shift(lead)];
    for (let more = true; more && taken.length < max;) {
      more = false;
      for (const owner of [...this.waiting.keys()]) {
        const cost = this.costOf(owner);
        if (taken.length >= max || expected + cost > this.targetMs) continue;
        expected += cost;
        taken.push(this.shift(owner));
        more = true;
      }
    }
    return taken;
  }

  /** One of the owner's jobs took `ms`, from its message's dispatch or the answer before it. */
  measured(owner: string, ms: number): void {
    const cost = this.costs.get(owner);
    const slow = ms > this.targetMs && ms > (cost ?? 0);
    this.costs.set(owner, cost === undefined || slow ? ms : cost + (ms - cost) * MEASUREMENT_WEIGHT);
  }

  /** What one of the owner's jobs is expected to take; unknown counts as slow. */
  costOf(owner: string): number {
    return this.costs.get(owner) ?? Number.POSITIVE_INFINITY;
  }

  /** Whether any owner but this one has jobs waiting. */
  waitingBesides(owner: string): boolean {
    for (const other of this.waiting.keys()) if (other !== owner) return true;
    return false;
  }

  /** Every waiting job, taken out of the queue. */
  drain(): J[] {
    const all = [...this.waiting.values()].flat();
    this.waiting.clear();
    this.count = 0;
    return all;
  }

  /** The owner holding the fewest threads, the first in turn among those. */
  private lead(held: ReadonlyMap<string, number>): string | undefined {
    let lead: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const owner of this.waiting.keys()) {
      const holds = held.get(owner) ?? 0;
      if (holds < fewest) [lead, fewest] = [owner, holds];
      if (holds === 0) break;
    }
    return lead;
  }

  /** The owner's next job; the owner goes to the end of the turn, or leaves it with nothing left waiting. */
  private shift(owner: string): J {
    const jobs = this.waiting.get(owner)!;
    const job = jobs.shift()!;
    this.waiting.delete(owner);
    if (jobs.length) this.waiting.set(owner, jobs);
    this.count -= 1;
    return job;
  }
}
