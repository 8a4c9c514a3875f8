import type { ExecutionContext } from '../../src/agents/agent-type';

/**
 * A context for running an executor directly: checkpoints, checkpoint parts, progress and output deltas are
 * kept in memory for inspection. Parts already in `parts` (say, copied from an earlier attempt) are what the
 * executor reads back; `partWrites` lists the seqs it wrote.
 */
export function executionContext<I, C>(
  input: I,
  config: C,
  overrides: Partial<ExecutionContext<I, C>> = {},
): ExecutionContext<I, C> & {
  checkpoints: unknown[];
  parts: Map<number, unknown>;
  partWrites: number[];
  progressReports: number[];
  deltas: string[];
} {
  const checkpoints: unknown[] = [];
  const parts = new Map<number, unknown>();
  const partWrites: number[] = [];
  const progressReports: number[] = [];
  const deltas: string[] = [];
  let state: unknown;
  return {
    taskId: 'task-1',
    createdBy: 'user-1',
    attempt: 1,
    agentId: 'agent-1',
    input,
    config,
    signal: new AbortController().signal,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    progress: async (percent) => {
      progressReports.push(percent);
    },
    outputDelta: (text) => void deltas.push(text),
    checkpoint: async (state) => {
      checkpoints.push(structuredClone(state));
    },
    checkpointPart: async (seq, part) => {
      partWrites.push(seq);
      if (!parts.has(seq)) parts.set(seq, structuredClone(part));
    },
    checkpointParts: async () =>
      [...parts].sort(([a], [b]) => a - b).map(([seq, part]) => ({ seq, part: structuredClone(part) })),
    agentState: { get: <T>() => state as T, set: (value) => (state = value) },
    checkpoints,
    parts,
    partWrites,
    progressReports,
    deltas,
    ...overrides,
  };
}
