import { SLOW_READER_GRACE_MS, SLOW_READER_HARD_FACTOR, SlowReader } from './slow-reader';

describe('SlowReader', () => {
  let clock = 0;
  const reader = (): SlowReader => new SlowReader(1000, () => clock);
  beforeEach(() => (clock = 0));

  it('keeps a client within the limit, however long', () => {
    const r = reader();
    clock = 60_000;
    expect(r.tooFarBehind(1000)).toBe(false);
  });

  it('lets a burst pass the limit for less than the grace period', () => {
    const r = reader();
    expect(r.tooFarBehind(5000)).toBe(false);
    clock += SLOW_READER_GRACE_MS;
    expect(r.tooFarBehind(5000)).toBe(false);
    // Caught up: the next time behind counts from then.
    expect(r.tooFarBehind(0)).toBe(false);
    clock += SLOW_READER_GRACE_MS;
    expect(r.tooFarBehind(5000)).toBe(false);
  });

  it('lets go of a client behind for longer than the grace period', () => {
    const r = reader();
    expect(r.tooFarBehind(2000)).toBe(false);
    clock += SLOW_READER_GRACE_MS + 1;
    expect(r.tooFarBehind(2000)).toBe(true);
  });

  it('lets go at once beyond the hard bound', () => {
    expect(reader().tooFarBehind(1000 * SLOW_READER_HARD_FACTOR)).toBe(false);
    expect(reader().tooFarBehind(1000 * SLOW_READER_HARD_FACTOR + 1)).toBe(true);
  });

  describe('with no event after it fell behind', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it("asks for a check once the grace has passed, so a client stalled on a burst's last events is judged", () => {
      let checks = 0;
      const r = new SlowReader(
        1000,
        () => clock,
        () => (checks += 1),
      );
      expect(r.tooFarBehind(2000)).toBe(false);
      expect(r.tooFarBehind(3000)).toBe(false); // still one check pending, not two
      clock += SLOW_READER_GRACE_MS + 1;
      jest.advanceTimersByTime(SLOW_READER_GRACE_MS + 1);
      expect(checks).toBe(1);
      expect(r.tooFarBehind(3000)).toBe(true);
    });

    it('asks nothing of a client that caught up, or that is gone', () => {
      let checks = 0;
      const caughtUp = new SlowReader(
        1000,
        () => clock,
        () => (checks += 1),
      );
      caughtUp.tooFarBehind(2000);
      caughtUp.tooFarBehind(0);
      const gone = new SlowReader(
        1000,
        () => clock,
        () => (checks += 1),
      );
      gone.tooFarBehind(2000);
      gone.stop();
      jest.advanceTimersByTime(10 * SLOW_READER_GRACE_MS);
      expect(checks).toBe(0);
    });
  });
});
