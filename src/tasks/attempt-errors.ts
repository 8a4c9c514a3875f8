import { AgentExecutionError } from '../agents/agent-type';
import type { JsonSchema, SchemaValidator } from '../common/schema/schema-validator';
import type { Outcome } from './persistence/task-state-writer';
import { NotStorableError } from './storable';
import type { TaskError } from './task';

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

/**
 * Checks an attempt's output against its type's schema: BAD_OUTPUT when it does not match, OUTPUT_NOT_STORABLE
 * when it is nested too deep to be checked (or stored), neither retried: the stack overflow is the value's, not
 * the executor's, and would come again.
 */
export function checkOutput(validator: Pick<SchemaValidator, 'check'>, schema: JsonSchema, output: unknown): void {
  let checked: ReturnType<SchemaValidator['check']>;
  try {
    checked = validator.check(schema, output);
  } catch (err) {
    // By name: a stack overflow may come from another realm's RangeError.
    if ((err as Error | undefined)?.name !== 'RangeError') throw err;
    throw new AgentExecutionError('OUTPUT_NOT_STORABLE', 'The output cannot be stored: it is nested too deep', false);
  }
  if (!checked.valid)
    throw new AgentExecutionError(
      'BAD_OUTPUT',
      `The output does not match the type: ${checked.errors[0].field} ${checked.errors[0].message}`,
      false,
    );
}
