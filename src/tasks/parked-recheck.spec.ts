import { parkedRecheckMs } from './parked-recheck';

describe('a parked task’s recheck delay', () => {
  it('is the base for a few, grows with how many are parked so they look again at a bounded rate, and stops at the most', () => {
    expect(parkedRecheckMs(1, 2000, 60_000, 100)).toBe(2000);
    expect(parkedRecheckMs(200, 2000, 60_000, 100)).toBe(2000);
    expect(parkedRecheckMs(2000, 2000, 60_000, 100)).toBe(20_000);
    expect(parkedRecheckMs(1_000_000, 2000, 60_000, 100)).toBe(60_000);
    // 2,000 parked, each looking again every 20 s: 100 a second together, as for 20,000 every 200 s.
    expect(2000 / (parkedRecheckMs(2000, 2000, 600_000, 100) / 1000)).toBe(100);
    expect(20_000 / (parkedRecheckMs(20_000, 2000, 600_000, 100) / 1000)).toBe(100);
  });
});
