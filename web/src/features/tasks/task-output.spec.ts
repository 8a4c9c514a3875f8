import { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import {
  noOutputText,
  OUTPUT_STREAM_MAX_CHARS,
  type OutputDelta,
  type OutputStream,
  appendDeltas,
  applyOutputDeltas,
  outputStreamKey,
  showsStream,
} from './task-output';

type Task = components['schemas']['TaskDto'];
const TASK = '00000000-0000-4000-8000-000000000001';

const delta = (seq: number, text: string, attempt = 1): OutputDelta => ({ taskId: TASK, attempt, seq, delta: text });
/** A fresh payload each time, as the socket delivers them. */
const event = (d: OutputDelta) => ({ name: 'task.output.delta', payload: { ...d } as Record<string, unknown> });

describe('appendDeltas', () => {
  it('appends an attempt’s deltas in order', () => {
    const stream = appendDeltas(undefined, [delta(1, 'Once'), delta(2, ' upon'), delta(3, ' a time')]);
    expect(stream).toEqual({ attempt: 1, seq: 3, text: 'Once upon a time', dropped: 0, joinedLate: false });
  });

  it('ignores a delta seen twice and one of an earlier attempt', () => {
    const first = appendDeltas(undefined, [delta(1, 'a'), delta(2, 'b')], 100);
    expect(appendDeltas(first, [delta(2, 'b'), delta(1, 'a')])?.text).toBe('ab');
    const second = appendDeltas(first, [delta(1, 'X', 2)]);
    expect(appendDeltas(second, [delta(3, 'late', 1)])).toMatchObject({ attempt: 2, text: 'X' });
  });

  it('starts over when a retry’s deltas come', () => {
    const first = appendDeltas(undefined, [delta(1, 'Hel'), delta(2, 'lo, ')]);
    expect(appendDeltas(first, [delta(1, 'Hello', 2), delta(2, ', world', 2)])).toEqual({
      attempt: 2,
      seq: 2,
      text: 'Hello, world',
      dropped: 0,
      joinedLate: false,
    });
  });

  it('says when the page joined mid-attempt', () => {
    expect(appendDeltas(undefined, [delta(7, 'middle')])).toMatchObject({ joinedLate: true, text: 'middle' });
  });

  it('keeps only the newest characters, counting what it dropped', () => {
    let stream: OutputStream | undefined;
    for (let seq = 1; seq <= 10; seq += 1) stream = appendDeltas(stream, [delta(seq, String(seq % 10).repeat(4))], 10);
    expect(stream).toMatchObject({ text: '8899990000', dropped: 30, seq: 10 });
    const big = appendDeltas(undefined, [delta(1, 'x'.repeat(OUTPUT_STREAM_MAX_CHARS + 5))]);
    expect(big?.text.length).toBe(OUTPUT_STREAM_MAX_CHARS);
    expect(big?.dropped).toBe(5);
  });
});

describe('applyOutputDeltas', () => {
  const running = { id: TASK, status: 'running', attempts: 1, output: null } as unknown as Task;

  it('writes a task’s deltas into the query cache and leaves other events alone', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.tasks.detail(TASK), running);
    applyOutputDeltas(client, [
      event(delta(1, 'Hi')),
      { name: 'task.updated', payload: { taskId: TASK, status: 'running' } },
      { name: 'task.output.delta', payload: { taskId: TASK, seq: 'x' } },
      event(delta(2, ' there')),
    ]);
    expect(client.getQueryData(outputStreamKey(TASK))).toMatchObject({ text: 'Hi there', seq: 2 });
  });

  it('takes none for a task already final (a last delta may follow a cancel)', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.tasks.detail(TASK), { ...running, status: 'cancelled' });
    applyOutputDeltas(client, [event(delta(1, 'late'))]);
    expect(client.getQueryData(outputStreamKey(TASK))).toBeUndefined();
  });
});

describe('showsStream', () => {
  const stream: OutputStream = { attempt: 2, seq: 1, text: 'x', dropped: 0, joinedLate: false };
  it('shows the text while the attempt it is of runs, and the output once there is one', () => {
    expect(showsStream({ status: 'running', attempts: 2, output: null }, stream)).toBe(true);
    expect(showsStream({ status: 'running', attempts: 3, output: null }, stream)).toBe(false);
    expect(showsStream({ status: 'retrying', attempts: 2, output: null }, stream)).toBe(false);
    expect(showsStream({ status: 'succeeded', attempts: 2, output: { text: 'x' } }, stream)).toBe(false);
    expect(showsStream({ status: 'running', attempts: 2, output: null }, undefined)).toBe(false);
  });
});

describe('noOutputText', () => {
  it('says why a finished task has no output, and points at its error', () => {
    const error = { code: 'AGENT_ERROR', message: 'boom' } as NonNullable<Task['error']>;
    expect(noOutputText({ status: 'failed', error })).toBe('No output: the task failed: see the error above.');
    expect(noOutputText({ status: 'failed', error: null })).toBe('No output: the task failed.');
    expect(noOutputText({ status: 'expired', error: null })).toBe('No output: the task expired before it ran.');
    expect(noOutputText({ status: 'cancelled', error: null })).toBe(
      'No output: the task was cancelled before it finished.',
    );
    // A cancel is no error: the notice above says it was cancelled.
    expect(noOutputText({ status: 'cancelled', error: { code: 'CANCELLED', message: 'Cancelled by request' } })).toBe(
      'No output: the task was cancelled before it finished.',
    );
    expect(noOutputText({ status: 'succeeded', error: null })).toBe('The task succeeded without output.');
    expect(noOutputText({ status: 'running', error: null })).toBe('No output yet.');
    expect(noOutputText({ status: 'queued', error: null })).toBe('No output yet.');
  });
});
