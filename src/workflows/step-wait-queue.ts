import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { type StepWaitJobData, WORKFLOW_WAITS_QUEUE } from '../jobs/queues';

export const STEP_DUE_JOB = 'step-due';
/**
 * The furthest ahead a job is delayed: BullMQ keeps a delayed job's time in a score that cannot hold times
 * decades away, so a longer wait's job fires early and is delayed again (the worker checks the step's time).
 */
export const MAX_JOB_DELAY_MS = 7 * 24 * 3600 * 1000;

/** The job id of a step's wait: step ids hold no `.`, so run and step cannot run into each other. */
export function stepWaitJobId(runId: string, stepId: string): string {
  return `${runId}.${stepId}`;
}

/**
 * The one producer of wait jobs: a delayed job per waiting step, due when the step is. Adding a job already in
 * Redis changes nothing (its id is the run's and step's), so the reconciler may add again whatever it likes.
 */
@Injectable()
export class StepWaitQueue {
  constructor(@InjectQueue(WORKFLOW_WAITS_QUEUE) readonly queue: Queue<StepWaitJobData>) {
    // The connection's own listener (RedisConnectionFactory) logs its errors; calls that fail reject.
    queue.on('error', () => undefined);
  }

  async add(runId: string, stepId: string, at: Date): Promise<void> {
    await this.queue.add(
      STEP_DUE_JOB,
      { runId, stepId },
      {
        jobId: stepWaitJobId(runId, stepId),
        delay: Math.min(MAX_JOB_DELAY_MS, Math.max(0, at.getTime() - Date.now())),
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Drops the jobs of steps that no longer wait (their run was cancelled); a job already running is left be. */
  async remove(runId: string, stepIds: string[]): Promise<void> {
    for (const stepId of stepIds) await this.queue.remove(stepWaitJobId(runId, stepId)).catch(() => 0);
  }
}
