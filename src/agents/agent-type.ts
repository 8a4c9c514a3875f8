import type { ErrorDetail } from '../common/errors/app.error';
import type { JsonSchema } from '../common/schema/schema-validator';
import type { AgentStateHandle } from './agent-state.store';

/** A logger bound to one task and agent. */
export interface ExecutionLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** One saved part of a checkpoint, as {@link ExecutionContext.checkpointParts} returns it. */
export interface CheckpointPart {
  seq: number;
  part: unknown;
}

/** Everything an executor gets for one attempt of one task. */
export interface ExecutionContext<Input = unknown, Config = unknown> {
  taskId: string;
  /** The user the task runs for (its submitter, or the creator of the schedule, hook or run that made it). */
  createdBy: string;
  attempt: number;
  agentId: string;
  /** Validated against the type's input schema, defaults applied. */
  input: Input;
  /** The agent's current configuration, secrets decrypted. */
  config: Config;
  /** Aborted on cancellation and on timeout; executors stop promptly when it fires. */
  signal: AbortSignal;
  logger: ExecutionLogger;
  progress(percent: number, message?: string): Promise<void>;
  /**
   * Reports output as it is produced (an LLM's tokens): live clients of the task receive it as
   * `task.output.delta` events, coalesced and in order. Never stored and never awaited; the output the
   * executor returns stays the task's result.
   */
  outputDelta(text: string): void;
  /** The agent's own state document, kept across tasks (saved periodically, restored on worker start). */
  agentState: AgentStateHandle;
  /**
   * Saves resumable state, whole; a retried attempt receives the last one as `lastCheckpoint`. Each call
   * writes all of it: for state that grows as the attempt goes on, use {@link checkpointPart}.
   */
  checkpoint(state: unknown): Promise<void>;
  lastCheckpoint?: unknown;
  /**
   * Saves one part of resumable state, at a cost that depends on the part alone (one row). Parts are keyed
   * by `seq`; a seq already saved keeps its first part. A later attempt of the same run (a retry, or a
   * takeover after a worker died) reads them back with {@link checkpointParts}. They are dropped when the
   * task ends, and a manual retry starts without them.
   */
  checkpointPart(seq: number, part: unknown): Promise<void>;
  /** The parts saved so far in this run, in order of seq (read when asked: nothing is loaded otherwise). */
  checkpointParts(): Promise<CheckpointPart[]>;
}

/**
 * An agent type: its schemas (JSON Schema 2020-12) and its executor. A new type is one folder under
 * `types/` and one line in `types/index.ts`.
 */
export interface AgentType<Input = unknown, Config = unknown, Output = unknown> {
  readonly type: string;
  readonly description: string;
  readonly configSchema: JsonSchema;
  readonly inputSchema: JsonSchema;
  readonly outputSchema: JsonSchema;
  /** Whether the type calls out over the network and so sits behind a per-agent circuit breaker. */
  readonly usesCircuitBreaker?: boolean;
  /**
   * The top-level config field, as a JSON pointer (`/url`), holding the URL the type calls: when an agent is
   * created or its config changes, a target the network guard refuses is refused with it.
   */
  readonly outboundTarget?: string;
  /**
   * Rules the config schema does not state, checked after it when an agent is created or its config
   * changes: every problem, each with its field as a JSON pointer into the config (`/headers/Host`).
   */
  checkConfig?(config: Config): ErrorDetail[];
  /**
   * Whether a task with this input (as sent, templates and all) reads a stored file (`POST /files`): what starts
   * it with an API key takes `files:read` too, as reading the file itself would.
   */
  readsFile?(input: unknown): boolean;
  execute(context: ExecutionContext<Input, Config>): Promise<Output>;
}

/** How an attempt failed: retried with backoff, or failed at once. */
export class AgentExecutionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** A delay the remote side asked for (Retry-After), honoured instead of the usual backoff when longer. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AgentExecutionError';
  }
}

export const nonRetryable = (code: string, message: string) => new AgentExecutionError(code, message, false);
export const retryable = (code: string, message: string, retryAfterMs?: number) =>
  new AgentExecutionError(code, message, true, retryAfterMs);

/** Thrown when the signal fires: cancellation or timeout, decided by whoever aborted. */
export function abortError(signal: AbortSignal): AgentExecutionError {
  // AbortSignal.timeout() aborts with a DOMException named TimeoutError; anything else is a cancellation.
  const timeout = (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
  return timeout
    ? retryable('TIMEOUT', 'The attempt ran past its timeout')
    : nonRetryable('CANCELLED', 'The task was cancelled');
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}
