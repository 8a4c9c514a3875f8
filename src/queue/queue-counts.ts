import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { QUEUE_NAMES, type QueueName } from '../jobs/queues';

/** The job states reports count, in BullMQ's words. */
export const JOB_COUNT_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'] as const;
export type JobCountState = (typeof JOB_COUNT_STATES)[number];
export type JobCounts = Record<JobCountState, number>;

/** BullMQ's `getCounts` script names the waiting list `wait`; the other states by their own names. */
const SCRIPT_STATES = JOB_COUNT_STATES.map((state) => (state === 'waiting' ? 'wait' : state));

/**
 * The job counts of every queue, read in one round trip: one pipeline of BullMQ's own counting script, once per
 * queue. The queues share the queue connection and, on a cluster, one slot (their prefix is a hash tag), so a
 * pipeline across them is allowed. Only in processes that serve the API, which hold a handle on every queue.
 */
@Injectable()
export class QueueCounts {
  constructor(private readonly moduleRef: ModuleRef) {}

  async all(): Promise<Record<QueueName, JobCounts>> {
    const queues = QUEUE_NAMES.map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    const pipeline = (await queues[0].backend.client).pipeline();
    // The arguments of BullMQ's Queue.getJobCounts: the queue's key prefix, then the states.
    for (const queue of queues) queue.backend.execCommand(pipeline, 'getCounts', [queue.keys[''], ...SCRIPT_STATES]);
    const replies = (await pipeline.exec()) ?? [];
    const counts = {} as Record<QueueName, JobCounts>;
    QUEUE_NAMES.forEach((name, i) => {
      const [err, reply] = replies[i] ?? [new Error(`no reply for queue ${name}`), undefined];
      if (err) throw err;
      const values = reply as (number | null)[];
      counts[name] = Object.fromEntries(JOB_COUNT_STATES.map((state, j) => [state, values[j] ?? 0])) as JobCounts;
    });
    return counts;
  }
}
