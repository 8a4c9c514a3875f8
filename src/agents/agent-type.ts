import type { JsonSchema } from '../common/schema/schema-validator';
import type { AgentStateHandle } from './agent-state.store';

/** A logger bound to one task and agent. */
export interface ExecutionLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Everything an executor gets for one attempt of one task. */
export interface ExecutionContext<Input = unknown, Config = unknown> {
  taskId: string;
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
  /** The agent's own state document, kept across tasks (saved periodically, restored on worker start). */
  agentState: AgentStateHandle;
  /** Saves resumable state; a retried attempt receives the last one as `lastCheckpoint`. */
  checkpoint(state: unknown): Promise<void>;
  lastCheckpoint?: unknown;
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
