import { loadConfig } from '../config/app-config';
import { TaskCancellation } from './task-cancellation';
import { handBackAfterMs } from './task-worker';

// Registering and handing back touch neither Redis connection.
const cancellation = (unfinished: string[] = []) =>
  new TaskCancellation(undefined as never, undefined as never, loadConfig({}), {
    unfinishedAmong: async (ids) => new Set(ids.filter((id) => unfinished.includes(id))),
  });

describe('TaskCancellation.handBackAll', () => {
  it('aborts every running attempt as handed back, not cancelled, and any registered after it at once', () => {
    const signals = cancellation();
    const running = new AbortController();
    const attempt = signals.register('t1', running);
    signals.handBackAll();
    expect(running.signal.aborted).toBe(true);
    expect(attempt.handedBack()).toBe(true);
    expect(attempt.cancelled()).toBe(false);

    const late = new AbortController();
    expect(signals.register('t2', late).handedBack()).toBe(true);
    expect(late.signal.aborted).toBe(true);
  });

  it('does not take an attempt aborted already (its timeout) for handed back', () => {
    const signals = cancellation();
    const timedOut = new AbortController();
    const first = signals.register('t1', timedOut);
    timedOut.abort(new DOMException('The task timed out', 'TimeoutError'));
    const running = new AbortController();
    const second = signals.register('t2', running);
    signals.handBackAll();
    expect(first.handedBack()).toBe(false);
    expect(second.handedBack()).toBe(true);
    expect(second.cancelled()).toBe(false);
  });

  it('leaves an attempt that was not running alone', () => {
    const signals = cancellation();
    const ended = new AbortController();
    signals.register('t1', ended).release();
    signals.handBackAll();
    expect(ended.signal.aborted).toBe(false);
  });
});

describe('handBackAfterMs', () => {
  it('hands back 5 s before the deadline, or a quarter of a shorter one before it', () => {
    expect(handBackAfterMs(30_000)).toBe(25_000);
    expect(handBackAfterMs(20_000)).toBe(15_000);
    expect(handBackAfterMs(4000)).toBe(3000);
    expect(handBackAfterMs(1000)).toBe(750);
  });
});

describe('TaskCancellation.cancelEnded', () => {
  it('aborts, as cancelled, the attempts whose task ended while no cancel could reach here, and no other', async () => {
    const signals = cancellation(['t2']);
    const [one, two] = [new AbortController(), new AbortController()];
    const ended = signals.register('t1', one);
    const running = signals.register('t2', two);
    expect(await signals.cancelEnded()).toBe(1);
    expect(one.signal.aborted).toBe(true);
    expect(ended.cancelled()).toBe(true);
    expect(two.signal.aborted).toBe(false);
    expect(running.cancelled()).toBe(false);
    expect(await signals.cancelEnded()).toBe(0);
  });
});
