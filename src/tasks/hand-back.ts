import type { LoggerService } from '@nestjs/common';
import { DelayedError, WaitingError } from 'bullmq';
import type { TaskJob } from './task-runner';

/**
 * Puts back to wait the job of an attempt that a stopping worker aborted (or of one it had not started), the
 * attempt left open: the next worker to take the job continues it at once (a takeover, from its checkpoint), not
 * when its lock lapses, as it is when Redis refuses the move. Throws BullMQ's WaitingError: the job is not done.
 */
export async function handBack(
  logger: LoggerService,
  job: TaskJob,
  token: string | undefined,
  taskId: string,
  attempt?: number,
): Promise<never> {
  const ids = { taskId, attempt };
  const which = attempt === undefined ? `task ${taskId}` : `task ${taskId} attempt ${attempt}`;
  logger.warn(ids, `${which} handed back: this worker is stopping`);
  await job.moveToWait(token).catch((err: Error) => {
    logger.warn(ids, `${which} not handed back (${err.message}): taken over once its lock lapses`);
  });
  throw new WaitingError();
}

/**
 * Puts a job back to wait `delayMs` and up to `spreadMs` more (tasks parked together do not all look again at
 * once), without spending an attempt. Throws BullMQ's DelayedError: the job is not done.
 */
export async function putBack(
  job: TaskJob,
  token: string | undefined,
  delayMs: number,
  spreadMs: number,
): Promise<never> {
  await job.moveToDelayed(Date.now() + delayMs + Math.floor(Math.random() * spreadMs), token);
  throw new DelayedError();
}
