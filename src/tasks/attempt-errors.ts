import { AgentExecutionError } from '../agents/agent-type';
import type { AttemptStatus } from './entities/task-attempt.entity';
import type { Outcome } from './persistence/task-state-writer';
import { NotStorableError } from './storable';
import type { TaskError, TaskStatus } from './task';

/** How an attempt still open is closed once its task was cancelled without it. */
export const ATTEMPT_CANCELLED: TaskError = { code: 'CANCELLED', message: 'Cancelled' };
/** How an attempt still open is closed once its task ended otherwise without it (its outcome came too late). */
export const ATTEMPT_SUPERSEDED: TaskError = { code: 'SUPERSEDED', message: 'The task changed state meanwhile' };

/** How an attempt that never recorded its outcome is closed, by the status its task ended in without it. */
export function abandonedAttempt(taskStatus: TaskStatus): { status: AttemptStatus; error: TaskError } {
  return { status: 'cancelled', error: taskStatus === 'cancelled' ? ATTEMPT_CANCELLED : ATTEMPT_SUPERSEDED };
}

/** Why a value was refused, in words fit for a log line: never the statement, the value or a stack. */
export function reasonOf(err: unknown): string {
  if (err instanceof NotStorableError) return err.reason;
  const code =
    (err as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (err as { code?: string }).code;
  return code ? `Postgres error ${code}` : 'unexpected error';
}

/** What is stored instead of an outcome Postgres refuses: an output becomes a failure, an error a fixed one. */
export function notStorable(outcome: Outcome): Outcome {
  return {
    status: outcome.status === 'succeeded' ? 'failed' : outcome.status,
    output: null,
    error: { code: 'OUTPUT_NOT_STORABLE', message: 'The result of the attempt could not be stored' },
    finishedAt: outcome.status === 'retrying' ? null : (outcome.finishedAt ?? new Date()),
    nextAttemptAt: outcome.nextAttemptAt,
  };
}

export function toTaskError(err: unknown): { error: TaskError; retryable: boolean; retryAfterMs?: number } {
  if (err instanceof AgentExecutionError) {
    return {
      error: { code: err.code, message: err.message },
      retryable: err.retryable,
      retryAfterMs: err.retryAfterMs,
    };
  }
  return { error: { code: 'INTERNAL', message: 'The executor failed unexpectedly' }, retryable: true };
}

/** A retryable failure that tells BullMQ's backoff strategy exactly how long to wait. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}
