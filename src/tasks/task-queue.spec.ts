import { backoffDelay } from './task-queue';

describe('backoffDelay', () => {
  it('doubles with every failed attempt, jittered between half and one and a half times', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(1000, n, 0, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(1000, 3, 0, () => 0)).toBe(2000);
    expect(backoffDelay(1000, 3, 0, () => 0.999)).toBe(5996);
  });

  it('waits at least as long as the remote side asked', () => {
    expect(backoffDelay(100, 1, 7000, () => 0.5)).toBe(7000);
    expect(backoffDelay(10_000, 1, 7000, () => 0.5)).toBe(10_000);
  });
});
