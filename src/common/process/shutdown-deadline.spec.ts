import { ShutdownDeadline } from './shutdown-deadline';

describe('ShutdownDeadline', () => {
  it('counts from the first signal, however late the hook that asks', () => {
    const shutdown = new ShutdownDeadline();
    shutdown.begin(1_000);
    shutdown.begin(4_000); // a second signal does not move the start
    expect(shutdown.msUntil(25_000, 8_000)).toBe(18_000);
  });

  it('gives 0 once the moment has passed', () => {
    const shutdown = new ShutdownDeadline();
    shutdown.begin(1_000);
    expect(shutdown.msUntil(5_000, 9_000)).toBe(0);
  });

  it('begins at the first hook that asks when no signal began it', () => {
    const shutdown = new ShutdownDeadline();
    expect(shutdown.msUntil(25_000, 3_000)).toBe(25_000);
    expect(shutdown.msUntil(25_000, 5_000)).toBe(23_000);
  });
});
