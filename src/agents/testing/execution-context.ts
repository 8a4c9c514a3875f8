import type { ExecutionContext } from '../agent-type';

/** A context for running an executor directly: checkpoints and progress are kept in memory for inspection. */
export function executionContext<I, C>(
  input: I,
  config: C,
  overrides: Partial<ExecutionContext<I, C>> = {},
): ExecutionContext<I, C> & { checkpoints: unknown[]; progressReports: number[] } {
  const checkpoints: unknown[] = [];
  const progressReports: number[] = [];
  let state: unknown;
  return {
    taskId: 'task-1',
    attempt: 1,
    agentId: 'agent-1',
    input,
    config,
    signal: new AbortController().signal,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    progress: async (percent) => {
      progressReports.push(percent);
    },
    checkpoint: async (state) => {
      checkpoints.push(structuredClone(state));
    },
    agentState: { get: <T>() => state as T, set: (value) => (state = value) },
    checkpoints,
    progressReports,
    ...overrides,
  };
}
