import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { abortError } from '../agent-type';
import { callSignal } from './outbound-http.client';

// The collector, as `node --expose-gc` gives it: a timeout signal only weakly held is collected by it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Waits for `signal` to abort, collecting garbage meanwhile; false if it has not within `withinMs`. */
async function abortsCollected(signal: AbortSignal, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (!signal.aborted && Date.now() < until) {
    await sleep(50);
    gc();
  }
  return signal.aborted;
}

describe('callSignal', () => {
  it('times out while the heap is collected, as a timeout the task is told of', async () => {
    // Nothing but the returned signal is kept: the caller's controller and the timer's parts are unreferenced.
    const { signal } = callSignal(new AbortController().signal, 500);
    expect(await abortsCollected(signal, 10_000)).toBe(true);
    expect(abortError(signal)).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('aborts with the caller’s reason when the caller aborts: a cancellation', () => {
    const outer = new AbortController();
    const { signal } = callSignal(outer.signal, 60_000);
    outer.abort();
    expect(signal.aborted).toBe(true);
    expect(abortError(signal)).toMatchObject({ code: 'CANCELLED', retryable: false });
  });

  it('is aborted at once for a caller already aborted', () => {
    const outer = new AbortController();
    outer.abort();
    expect(callSignal(outer.signal, 60_000).signal.aborted).toBe(true);
  });

  it('neither times out nor follows the caller once done', async () => {
    const outer = new AbortController();
    const { signal, done } = callSignal(outer.signal, 50);
    done();
    expect(await abortsCollected(signal, 300)).toBe(false);
    outer.abort();
    expect(signal.aborted).toBe(false);
  });
});
