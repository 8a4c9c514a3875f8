import { firstValueFrom, Subject, toArray } from 'rxjs';
import { liveResourceStream } from './sse';

interface State {
  status: string;
  step?: string;
}

const isFinal = (s: State): boolean => s.status !== 'running';

/**
 * A resource whose current state is read from `states`, one after another (the last one stays); `whileFirstRead`
 * happens during the first read only (an update published meanwhile).
 */
function resource(states: State[], whileFirstRead: () => void = () => undefined) {
  const reads: State[] = [];
  const read = (): Promise<State> => {
    if (!reads.length) whileFirstRead();
    const state = states.length > 1 ? states.shift()! : states[0];
    reads.push(state);
    return Promise.resolve(state);
  };
  return { read, reads };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('liveResourceStream', () => {
  it('streams the state read, then the updates held while it was read and those after, in order', async () => {
    const updates = new Subject<State>();
    // Made while the state is read: held, then streamed after it.
    const { read } = resource([{ status: 'running', step: 'a' }, { status: 'succeeded' }], () =>
      updates.next({ status: 'running', step: 'b' }),
    );
    const streaming = liveResourceStream('run', updates, read, isFinal);
    const events = firstValueFrom((await streaming).pipe(toArray()));
    updates.next({ status: 'running', step: 'c' });
    updates.next({ status: 'succeeded' });
    expect((await events).map((e) => e.data)).toEqual([
      { status: 'running', step: 'a' },
      { status: 'running', step: 'b' },
      { status: 'running', step: 'c' },
      { status: 'succeeded' },
    ]);
  });

  it('does not end on a final update older than the state read: the resource, retried since, runs again', async () => {
    const updates = new Subject<State>();
    // A run failed, was retried at once: its "failed" is delivered after the stream read it running again.
    const { read, reads } = resource([{ status: 'running', step: 'again' }], () => updates.next({ status: 'failed' }));
    const stream = await liveResourceStream('run', updates, read, isFinal);
    const seen: unknown[] = [];
    let ended = false;
    stream.subscribe({ next: (e) => seen.push(e.data), complete: () => (ended = true) });
    await tick();
    expect(ended).toBe(false);
    expect(seen).toEqual([
      { status: 'running', step: 'again' },
      { status: 'running', step: 'again' },
    ]);
    expect(reads).toHaveLength(2);
  });

  it('ends on a final update that the state read again confirms, streaming that state', async () => {
    const updates = new Subject<State>();
    const { read } = resource([{ status: 'running' }, { status: 'succeeded', step: 'read again' }]);
    const stream = await liveResourceStream('run', updates, read, isFinal);
    const events = firstValueFrom(stream.pipe(toArray()));
    updates.next({ status: 'succeeded' });
    expect((await events).map((e) => e.data)).toEqual([
      { status: 'running' },
      { status: 'succeeded', step: 'read again' },
    ]);
    expect(updates.observed).toBe(false);
  });

  it('takes a final update at its word when the state cannot be read again', async () => {
    const updates = new Subject<State>();
    let reads = 0;
    const stream = await liveResourceStream(
      'run',
      updates,
      () => (reads++ === 0 ? Promise.resolve({ status: 'running' }) : Promise.reject(new Error('database away'))),
      isFinal,
    );
    const events = firstValueFrom(stream.pipe(toArray()));
    updates.next({ status: 'failed' });
    expect((await events).map((e) => e.data)).toEqual([{ status: 'running' }, { status: 'failed' }]);
  });
});
