import { type QueryClient, queryOptions, skipToken } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { FINAL } from './task-status';

type Task = components['schemas']['TaskDto'];

/** A `task.output.delta` payload: a piece of a running attempt's output, numbered from 1 within the attempt. */
export interface OutputDelta {
  taskId: string;
  attempt: number;
  seq: number;
  delta: string;
}

/** The text a running attempt has produced so far, as this page received it. */
export interface OutputStream {
  attempt: number;
  /** The last `seq` appended. */
  seq: number;
  /** The newest text, at most {@link OUTPUT_STREAM_MAX_CHARS} characters. */
  text: string;
  /** Characters dropped from the start to keep within the cap. */
  dropped: number;
  /** The page joined after the attempt had begun (its first delta had a `seq` above 1): the start is missing. */
  joinedLate: boolean;
}

/**
 * How much streamed text a task page keeps: beyond it, the oldest text goes (the final output, fetched whole,
 * replaces the stream when the task ends).
 */
export const OUTPUT_STREAM_MAX_CHARS = 64 * 1024;

/** Where a task's streamed output is kept in the query cache (written by live events, never fetched). */
export const outputStreamKey = (taskId: string) => [...queryKeys.tasks.detail(taskId), 'output-stream'] as const;

export const outputStreamQuery = (taskId: string) =>
  queryOptions<OutputStream>({ queryKey: outputStreamKey(taskId), queryFn: skipToken, staleTime: Infinity });

/**
 * Appends deltas in order: a later attempt starts the text over, an earlier attempt's or an already appended
 * `seq` (the same event seen twice) is ignored, and only the newest `max` characters are kept.
 */
export function appendDeltas(
  stream: OutputStream | undefined,
  deltas: readonly OutputDelta[],
  max = OUTPUT_STREAM_MAX_CHARS,
): OutputStream | undefined {
  let next = stream;
  for (const d of deltas) {
    if (!next || d.attempt > next.attempt) {
      next = { attempt: d.attempt, seq: d.seq, text: d.delta, dropped: 0, joinedLate: d.seq > 1 };
    } else if (d.attempt === next.attempt && d.seq > next.seq) {
      next = { ...next, seq: d.seq, text: next.text + d.delta };
    } else {
      continue;
    }
    if (next.text.length > max) {
      const excess = next.text.length - max;
      next = { ...next, text: next.text.slice(excess), dropped: next.dropped + excess };
    }
  }
  return next;
}

function isDelta(payload: Record<string, unknown>): boolean {
  return (
    typeof payload.taskId === 'string' &&
    typeof payload.attempt === 'number' &&
    typeof payload.seq === 'number' &&
    typeof payload.delta === 'string'
  );
}

/**
 * Writes a frame's worth of `task.output.delta` events into the query cache, per task. A task whose cached
 * state is final takes none (a last delta may follow a cancel): its whole output is shown instead.
 */
export function applyOutputDeltas(
  queryClient: QueryClient,
  events: readonly { name: string; payload: Record<string, unknown> }[],
): void {
  const byTask = new Map<string, OutputDelta[]>();
  for (const e of events) {
    if (e.name !== 'task.output.delta' || !isDelta(e.payload)) continue;
    const delta = e.payload as unknown as OutputDelta;
    byTask.set(delta.taskId, [...(byTask.get(delta.taskId) ?? []), delta]);
  }
  for (const [taskId, deltas] of byTask) {
    const task = queryClient.getQueryData<Task>(queryKeys.tasks.detail(taskId));
    if (task && FINAL.includes(task.status)) continue;
    queryClient.setQueryData<OutputStream>(outputStreamKey(taskId), (stream) => appendDeltas(stream, deltas));
  }
}

/**
 * Whether the output panel shows the streamed text: while an attempt runs, the one the text is of (a retry's
 * text starts over; a failed attempt's is not shown once the task has moved on), before the final output.
 */
export function showsStream(
  task: Pick<Task, 'status' | 'output' | 'attempts'>,
  stream: OutputStream | undefined,
): stream is OutputStream {
  return stream !== undefined && task.status === 'running' && task.output === null && stream.attempt >= task.attempts;
}

/**
 * What the output panel says when a task has no output: yet (it has still to run or finish), or none because of
 * how it ended, pointing at the error when there is one.
 */
export function noOutputText(task: Pick<Task, 'status' | 'error'>): string {
  const error = task.error ? ': see the error above' : '';
  switch (task.status) {
    case 'failed':
      return `No output: the task failed${error}.`;
    case 'cancelled':
      return 'No output: the task was cancelled before it finished.';
    case 'expired':
      return `No output: the task expired before it ran${error}.`;
    case 'succeeded':
      return 'The task succeeded without output.';
    default:
      return 'No output yet.';
  }
}
