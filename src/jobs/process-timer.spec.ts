import { ProcessTimer } from './process-timer';

describe('ProcessTimer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs every period, logs a failing tick and goes on, and stops', async () => {
    const warn = jest.fn();
    let ticks = 0;
    const timer = new ProcessTimer(
      'sweep',
      1000,
      async () => {
        ticks += 1;
        if (ticks === 2) throw new Error('database away');
      },
      { warn },
    ).start();
    await jest.advanceTimersByTimeAsync(3000);
    expect(ticks).toBe(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('sweep: database away');
    timer.stop();
    await jest.advanceTimersByTimeAsync(3000);
    expect(ticks).toBe(3);
  });

  it('logs a tick that throws synchronously', async () => {
    const warn = jest.fn();
    const timer = new ProcessTimer(
      'check',
      10,
      () => {
        throw new Error('boom');
      },
      { warn },
    ).start();
    await jest.advanceTimersByTimeAsync(10);
    timer.stop();
    expect(warn).toHaveBeenCalledWith('check: boom');
  });

  it('folds triggers within a delay into one run', async () => {
    const tick = jest.fn();
    const timer = new ProcessTimer('nudge', 200, tick, { warn: jest.fn() });
    timer.trigger();
    await jest.advanceTimersByTimeAsync(100);
    timer.trigger();
    await jest.advanceTimersByTimeAsync(100);
    expect(tick).toHaveBeenCalledTimes(1);
    timer.trigger();
    await jest.advanceTimersByTimeAsync(200);
    expect(tick).toHaveBeenCalledTimes(2);
  });

  it('stops both the period and a pending trigger', () => {
    const timer = new ProcessTimer('x', 1000, () => undefined, { warn: jest.fn() }).start();
    timer.trigger();
    expect(jest.getTimerCount()).toBe(2);
    timer.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
