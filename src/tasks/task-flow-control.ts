import { Inject, Injectable } from '@nestjs/common';
import { KeySlots } from './key-slots';
import { PausedTasks } from './paused-tasks';
import type { Agent, ExpiryCheck, JobWaker } from './ports';
import { TaskExpiry } from './task-expiry';
import { TaskQueue } from './task-queue';

/** A task's concurrency key with its agent's limit per key, when both are set. */
export interface KeyLimit {
  key: string;
  limit: number;
}

/** The key limit that applies to a task of `agent` with this key; undefined when none does. */
export function keyLimit(agent: Pick<Agent, 'concurrencyPerKey'>, key: string | undefined): KeyLimit | undefined {
  return key !== undefined && agent.concurrencyPerKey ? { key, limit: agent.concurrencyPerKey } : undefined;
}

/** Wake-ups tried when a slot frees: parked tasks whose job is gone or not waiting any more are passed over. */
const MAX_WAKE_TRIES = 5;

/**
 * What the runner checks before running a task, beyond its agent's own concurrency: its expiry time, the slots
 * of its concurrency key, and where a paused agent's task waits. Tasks with none of these never come here, so
 * they cost nothing more.
 */
@Injectable()
export class TaskFlowControl {
  constructor(
    private readonly keySlots: KeySlots,
    private readonly paused: PausedTasks,
    @Inject(TaskQueue) private readonly queue: JobWaker,
    @Inject(TaskExpiry) private readonly expiry: ExpiryCheck,
  ) {}

  /** Ends the task as expired when it is still queued past its expiry time; true when it did. */
  expire(taskId: string): Promise<boolean> {
    return this.expiry.expireOne(taskId);
  }

  /**
   * Parks a task of a paused agent, to be woken when the agent is resumed ({@link PausedTasks}); how long it waits
   * before it looks again by itself.
   */
  parkPaused(agentId: string, taskId: string): Promise<number> {
    return this.paused.park(agentId, taskId);
  }

  /** Takes back a parked task whose agent turned out to be resumed already. */
  unparkPaused(agentId: string, taskId: string): Promise<void> {
    return this.paused.unpark(agentId, taskId);
  }

  /** Takes a slot of the key, or parks the task to be woken when one frees (false). */
  acquireKey(agentId: string, key: KeyLimit, taskId: string, leaseMs: number): Promise<boolean> {
    return this.keySlots.acquire(agentId, key.key, taskId, key.limit, leaseMs);
  }

  /**
   * Gives the slot back; with `wake`, the longest parked task of the key is put back to wait at once. Not
   * awaited by the runner: a lost wake-up costs the parked task its recheck delay, nothing more.
   */
  releaseKey(agentId: string, key: KeyLimit, taskId: string, wake: boolean): void {
    void this.release(agentId, key, taskId, wake).catch(() => undefined);
  }

  private async release(agentId: string, key: KeyLimit, taskId: string, wake: boolean): Promise<void> {
    let next = await this.keySlots.release(agentId, key.key, taskId, wake);
    for (let tries = 1; next !== undefined && !(await this.queue.wake(next)); tries += 1) {
      if (tries >= MAX_WAKE_TRIES) return;
      next = await this.keySlots.nextParked(agentId, key.key);
    }
  }
}
