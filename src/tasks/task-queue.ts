import { setTimeout as sleep } from 'node:timers/promises';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MicroBatcher } from '../database/micro-batcher';
import { type TaskJobData, TASKS_QUEUE } from '../jobs/queues';
import type { Task } from './task';

export { type TaskJobData, TASKS_QUEUE };
export const TASK_JOB = 'run';
export const TASK_BACKOFF = 'task';
/** A job parked a moment ago may still be on its way to delayed when it is woken: it is tried again after this. */
const WAKE_AGAIN_MS = 250;

function jobData(task: Task): TaskJobData {
  const data: TaskJobData = { taskId: task.id, agentId: task.agentId, timeoutMs: task.timeoutMs };
  // Only when set: a task without them is checked for neither.
  if (task.concurrencyKey) data.concurrencyKey = task.concurrencyKey;
  if (task.expireAt) data.expireAt = task.expireAt.getTime();
  return data;
}

/** Exponential with jitter: base · 2^(n-1) · [0.5, 1.5), at least what the remote side asked for. */
export function backoffDelay(baseMs: number, failedAttempts: number, retryAfterMs = 0, random = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, failedAttempts - 1);
  return Math.max(Math.round(exponential * (0.5 + random())), retryAfterMs);
}

/** The one producer of task jobs: the job id is the task id, so a task is queued at most once. */
@Injectable()
export class TaskQueue {
  /**
   * Tasks queued at about the same time (single submissions from many requests) go to Redis as one
   * bulk add: one round trip carries them all.
   */
  private readonly adds = new MicroBatcher<Task, void>(
    async (tasks) => {
      await this.queue.addBulk(
        tasks.map((task) => ({ name: TASK_JOB, data: jobData(task), opts: this.options(task) })),
      );
      return tasks.map(() => undefined);
    },
    { maxSize: 1000, maxInFlight: 2 },
  );

  constructor(
    @InjectQueue(TASKS_QUEUE) readonly queue: Queue<TaskJobData>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A queue re-emits its connection's errors, and BullMQ prints an unheard one with its stack to stderr.
    // The connection's own listener (RedisConnectionFactory) already logs each one in a line; calls that
    // fail reject to their callers.
    queue.on('error', () => undefined);
  }

  private options(task: Task): JobsOptions {
    return {
      jobId: task.id,
      priority: task.priority,
      // Not before runAt, nor before the next attempt of a retrying task.
      delay: Math.max(0, (task.nextAttemptAt ?? task.runAt ?? new Date(0)).getTime() - Date.now()),
      attempts: task.maxAttempts,
      backoff: { type: TASK_BACKOFF },
      removeOnComplete: { count: this.config.queue.keepCompleted },
      removeOnFail: { count: this.config.queue.keepFailed },
      // A failure's reason is kept (the task's error); its stack trace, server paths and all, is not.
      stackTraceLimit: 0,
    };
  }

  async enqueue(task: Task): Promise<void> {
    await this.queue.add(TASK_JOB, jobData(task), this.options(task));
  }

  async enqueueMany(tasks: Task[]): Promise<void> {
    await Promise.all(tasks.map((task) => this.adds.submit(task)));
  }

  /** Takes a waiting or delayed job out of the queue; a job a worker holds is stopped by cancellation instead. */
  async remove(taskId: string): Promise<void> {
    const job = await this.queue.getJob(taskId);
    if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
  }

  /** Puts a delayed job back to wait at once (a parked task whose key slot freed); false when it is not delayed. */
  async wake(taskId: string): Promise<boolean> {
    const job = await this.queue.getJob(taskId);
    if (!job) return false;
    return job.promote().then(
      () => true,
      () => false,
    );
  }

  /**
   * Wakes each of these tasks' jobs ({@link wake}), those missed once more a moment later (one parked a moment ago
   * may still be on its way to delayed); those that could not be woken (gone, or not delayed).
   */
  async wakeEach(taskIds: string[]): Promise<string[]> {
    const missed = await this.wakeOnce(taskIds);
    if (!missed.length) return missed;
    await sleep(WAKE_AGAIN_MS, undefined, { ref: false });
    return this.wakeOnce(missed);
  }

  private async wakeOnce(taskIds: string[]): Promise<string[]> {
    const woken = await Promise.all(taskIds.map((id) => this.wake(id)));
    return taskIds.filter((_, i) => !woken[i]);
  }

  /** Which of these tasks the queue no longer holds at all. */
  async missing(taskIds: string[]): Promise<string[]> {
    return this.inStates(taskIds, ['unknown']);
  }

  /**
   * Which of these tasks have no job that will run: none at all (lost with Redis), or one that already ended.
   * For running tasks: whoever holds such a task holds it without the queue.
   */
  async idle(taskIds: string[]): Promise<string[]> {
    return this.inStates(taskIds, ['unknown', 'completed', 'failed']);
  }

  private async inStates(taskIds: string[], wanted: string[]): Promise<string[]> {
    const states = await Promise.all(taskIds.map(async (id) => [id, await this.queue.getJobState(id)] as const));
    return states.filter(([, state]) => wanted.includes(state)).map(([id]) => id);
  }

  /** Queues tasks again whose job is gone or ended: an ended job is removed first, so the new one is added. */
  async requeue(tasks: Task[]): Promise<void> {
    // Removing leaves a job a worker holds (locked) alone.
    await Promise.all(tasks.map((task) => this.queue.remove(task.id)));
    await this.enqueueMany(tasks);
  }

  /**
   * The names (`TaskStateWriter.workerId`) of the task workers connected to Redis now, from CLIENT LIST;
   * undefined where Redis does not tell connection names.
   */
  async liveWorkers(): Promise<Set<string> | undefined> {
    const clients = (await this.queue.getWorkers()) as { rawname?: string }[];
    if (clients.some((c) => c.rawname === undefined)) return undefined;
    const marker = ':w:';
    return new Set(
      clients
        .map((c) => c.rawname!)
        .filter((name) => name.includes(marker))
        .map((name) => name.slice(name.indexOf(marker) + marker.length)),
    );
  }
}
