import { setImmediate as nextTurn } from 'node:timers/promises';
import { type BatchClock, BatchWindows, EventBatches } from './event-batches';

/** A clock whose windows end when the test says so. */
class FakeClock implements BatchClock {
  readonly windows: { run: () => void; ms: number; cancelled: boolean; ran: boolean }[] = [];
  /** What now() reads; a send may move it on, to take that long. */
  at = 0;
  now(): number {
    return this.at;
  }
  schedule(run: () => void, ms: number): () => void {
    const window = { run, ms, cancelled: false, ran: false };
    this.windows.push(window);
    return () => (window.cancelled = true);
  }
  get open(): number {
    return this.windows.filter((w) => !w.cancelled && !w.ran).length;
  }
  /** The length of the window opened last. */
  get lastMs(): number {
    return this.windows[this.windows.length - 1].ms;
  }
  /** Ends the windows open now, the soonest first (the one opened first among equals). */
  end(): void {
    const open = this.windows.filter((w) => !w.cancelled && !w.ran).sort((x, y) => x.ms - y.ms);
    for (const window of open) {
      window.ran = true;
      if (!window.cancelled) window.run();
    }
  }
}

describe('EventBatches', () => {
  const make = (maxBatch?: number) => {
    const clock = new FakeClock();
    const sent: [string, number[]][] = [];
    const batches = new EventBatches<string, number>(50, (key, values) => sent.push([key, values]), maxBatch, clock);
    return { clock, sent, batches };
  };

  it('sends the other keys their batches when one send fails, and reports it', () => {
    const clock = new FakeClock();
    const sent: [string, number[]][] = [];
    const failed: string[] = [];
    const batches = new EventBatches<string, number>(
      50,
      (key, values) => {
        if (key === 'bad') throw new Error('gone');
        sent.push([key, values]);
      },
      undefined,
      clock,
      (key, err) => failed.push(`${key}: ${err.message}`),
    );
    batches.add('a', 1);
    batches.add('bad', 2);
    batches.add('c', 3);
    clock.end();
    expect(sent).toEqual([
      ['a', [1]],
      ['c', [3]],
    ]);
    expect(failed).toEqual(['bad: gone']);
    expect(batches.size).toBe(0);
  });

  it('sends each key its values of a window together, in order, with one window open per key', () => {
    const { clock, sent, batches } = make();
    batches.add('a', 1);
    batches.add('b', 2);
    batches.add('a', 3);
    expect(sent).toEqual([]);
    expect(clock.open).toBe(2);
    clock.end();
    expect(sent).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
    expect(batches.size).toBe(0);
    // The key's next value opens its next window, a whole one after its send.
    batches.add('a', 4);
    expect(clock.open).toBe(1);
    expect(clock.lastMs).toBe(50);
    clock.end();
    expect(sent[2]).toEqual(['a', [4]]);
  });

  it('times each key’s window from its own last send: one key’s sends hold no other key’s values', () => {
    const { clock, sent, batches } = make();
    batches.add('a', 1);
    clock.end();
    clock.at += 30;
    batches.add('a', 2);
    expect(clock.lastMs).toBe(20);
    // 'b' has not been sent for a window's length: it leaves at the end of this turn, 'a' 20 ms later.
    batches.add('b', 3);
    expect(clock.lastMs).toBe(0);
    clock.end();
    expect(sent).toEqual([
      ['a', [1]],
      ['b', [3]],
      ['a', [2]],
    ]);
  });

  it('sends what comes after a quiet spell at the end of the turn, and what follows a send at the window’s end', () => {
    const { clock, sent, batches } = make();
    batches.add('a', 1);
    // Nothing sent for a window's length (here: ever): at the end of this turn, with the turn's others.
    expect(clock.lastMs).toBe(0);
    batches.add('a', 2);
    clock.end();
    expect(sent).toEqual([['a', [1, 2]]]);
    clock.at += 30;
    batches.add('a', 3);
    // A window after the last send: 20 ms are left of it.
    expect(clock.lastMs).toBe(20);
    clock.end();
    clock.at += 50;
    batches.add('a', 4);
    expect(clock.lastMs).toBe(0);
  });

  it('sends a key that reaches the largest batch at once, and the rest at the end of the window', () => {
    const { clock, sent, batches } = make(3);
    for (const value of [1, 2, 3, 4]) batches.add('a', value);
    batches.add('b', 9);
    expect(sent).toEqual([['a', [1, 2, 3]]]);
    clock.end();
    expect(sent).toEqual([
      ['a', [1, 2, 3]],
      ['b', [9]],
      ['a', [4]],
    ]);
  });

  it('opens no window for a batch sent at once', () => {
    const { clock, sent, batches } = make(1);
    batches.add('a', 1);
    expect(sent).toEqual([['a', [1]]]);
    expect(clock.open).toBe(0);
  });

  it('puts what a send adds into the next window, a whole one even after a quiet spell', () => {
    const clock = new FakeClock();
    const sent: number[][] = [];
    const batches: EventBatches<string, number> = new EventBatches(
      50,
      (_key, values) => {
        sent.push(values);
        if (values[0] === 1) batches.add('a', 2);
      },
      undefined,
      clock,
    );
    batches.add('a', 1);
    expect(clock.lastMs).toBe(0);
    clock.end();
    expect(sent).toEqual([[1]]);
    expect(clock.open).toBe(1);
    expect(clock.lastMs).toBe(50);
    clock.end();
    expect(sent).toEqual([[1], [2]]);
  });

  it('drops a key, and everything on stop, with its window', () => {
    const { clock, sent, batches } = make();
    batches.add('a', 1);
    batches.add('b', 2);
    batches.delete('a');
    expect(batches.size).toBe(1);
    expect(clock.open).toBe(1);
    batches.stop();
    expect(clock.open).toBe(0);
    expect(batches.size).toBe(0);
    batches.flush();
    expect(sent).toEqual([]);
  });

  it('stretches the windows while sending takes over a third of the time, up to twice, and back', () => {
    const clock = new FakeClock();
    let sendingMs = 0;
    const batches = new EventBatches<string, number>(50, () => (clock.at += sendingMs), undefined, clock);
    /** The windows' length after a window's length of sends to 10 keys, each taking `ms`, then idle time. */
    const windowAfter = (ms: number): number => {
      sendingMs = ms;
      const started = clock.at;
      for (let key = 0; key < 10; key += 1) batches.add(String(key), 1);
      clock.end();
      clock.at = Math.max(clock.at, started + batches.window);
      batches.add('last', 1);
      clock.end();
      return batches.window;
    };
    expect(windowAfter(0.5)).toBe(50);
    // 10 sends of 2 ms a window: over a third of each window's time sending; three times that, at most 100.
    expect(windowAfter(2)).toBeGreaterThan(50);
    expect(windowAfter(2)).toBeLessThan(100);
    expect(windowAfter(40)).toBe(100);
    // What was sent in the window before counts in the first reckoning after it.
    windowAfter(0);
    expect(windowAfter(0)).toBe(50);
  });

  it('stretches the windows of batches that share them by the sending of both', () => {
    const clock = new FakeClock();
    const windows = new BatchWindows(50, clock);
    // Socket.IO rooms whose sends take long, and SSE streams whose sends are quick, timed by one share.
    const busy = new EventBatches<string, number>(windows, () => (clock.at += 4), undefined, clock);
    const quick = new EventBatches<string, number>(windows, () => (clock.at += 0.1), undefined, clock);
    const alone = new EventBatches<string, number>(50, () => (clock.at += 0.1), undefined, clock);
    for (let round = 0; round < 3; round += 1) {
      const started = clock.at;
      for (let key = 0; key < 10; key += 1) [busy, quick, alone].forEach((b) => b.add(String(key), 1));
      clock.end();
      clock.at = Math.max(clock.at, started + windows.length);
      [busy, quick, alone].forEach((b) => b.add('last', 1));
      clock.end();
    }
    expect(busy.window).toBe(100);
    expect(quick.window).toBe(busy.window);
    // Not given the shared windows, quick sends keep their own, unstretched.
    expect(alone.window).toBe(50);
    // What follows a quick stream's send waits for the stretched window, as the busy rooms' values do.
    quick.add('x', 1);
    clock.end();
    quick.add('x', 2);
    expect(clock.lastMs).toBeGreaterThan(50);
  });

  it('while windows stretch, keeps a value within the longest window from when it was made, not less than the set one', () => {
    const clock = new FakeClock();
    const windows = new BatchWindows(50, clock);
    let sendingMs = 40;
    const batches = new EventBatches<string, number>(windows, () => (clock.at += sendingMs), undefined, clock);
    const alone = new EventBatches<string, number>(50, () => undefined, undefined, clock);
    // Sending takes most of the time: the windows stretch to their longest, 100 ms.
    for (let round = 0; round < 3; round += 1) {
      for (let key = 0; key < 3; key += 1) batches.add(String(key), 1);
      clock.end();
    }
    expect(windows.length).toBe(100);
    sendingMs = 0;
    const sentJustNow = (key: string) => {
      batches.add(key, 0);
      clock.end();
    };
    // Made just now: it waits the stretched window.
    sentJustNow('a');
    batches.add('a', 1, 0);
    expect(clock.lastMs).toBe(100);
    // Made 30 ms ago (it came late): 70 ms more; one made 80 ms ago brings the batch's send to 50 ms, the set
    // window, which no age shortens.
    sentJustNow('b');
    batches.add('b', 1, 30);
    expect(clock.lastMs).toBe(70);
    batches.add('b', 2, 80);
    expect(clock.lastMs).toBe(50);
    batches.add('b', 3, 5_000);
    expect(clock.lastMs).toBe(50);
    // One window open for the batch, the ones it moved cancelled.
    expect(clock.open).toBe(1);
    // Windows that do not stretch keep their length, however old the value.
    alone.add('c', 0);
    clock.end();
    alone.add('c', 1, 5_000);
    expect(clock.lastMs).toBe(50);
  });

  it('forgets a key not sent for longer than any window lasts: its next value leaves at the end of the turn', () => {
    const { clock, batches } = make();
    batches.add('a', 1);
    clock.end();
    clock.at += 250;
    batches.add('b', 1);
    clock.end();
    batches.add('a', 2);
    expect(clock.lastMs).toBe(0);
  });

  it('sends at the end of the turn with a window of 0', async () => {
    const sent: number[][] = [];
    const batches = new EventBatches<string, number>(0, (_key, values) => sent.push(values));
    batches.add('a', 1);
    batches.add('a', 2);
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual([[1, 2]]);
  });
});
