/**
 * How long a parked task waits before it looks again by itself, should its wake-up be lost: `baseMs`, longer as
 * more tasks are parked beside it, so that together they look again about `perSecond` times a second, up to
 * `maxMs`. However many wait, they cost about the same; one alone looks again soon.
 */
export function parkedRecheckMs(parked: number, baseMs: number, maxMs: number, perSecond: number): number {
  return Math.min(maxMs, Math.max(baseMs, Math.round((parked / perSecond) * 1000)));
}
