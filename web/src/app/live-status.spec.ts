import {
  FIRST_CONNECT_GRACE_MS,
  type LivePause,
  SHORT_PAUSE_MS,
  clockTime,
  livePause,
  msUntilSaid,
  pauseKey,
  pauseText,
} from './live-status';

describe('live pause', () => {
  const lostAt = Date.UTC(2026, 0, 5, 14, 32, 5);

  it('is none while connected and nothing is left to read again', () => {
    expect(livePause({ state: 'up' }, null)).toBeNull();
  });

  it('lasts while the connection is down, and after it is back until the page has read again', () => {
    expect(livePause({ state: 'lost', since: lostAt }, null)).toEqual({ reason: 'reconnecting', since: lostAt });
    // Back, not yet current: the same pause, so that the notice neither changes nor is read out again.
    const back = livePause({ state: 'up' }, { reason: 'reconnected', since: lostAt });
    expect(back).toEqual({ reason: 'reconnecting', since: lostAt });
    expect(pauseKey(back as LivePause)).toBe(pauseKey({ reason: 'reconnecting', since: lostAt }));
  });

  it('lasts after the server said events were missed, until the page has read again', () => {
    expect(livePause({ state: 'up' }, { reason: 'missed', since: lostAt })).toEqual({
      reason: 'missed',
      since: lostAt,
    });
  });

  it('is the first connect while the page load has never been connected', () => {
    expect(livePause({ state: 'connecting', since: lostAt }, null)).toEqual({ reason: 'connecting', since: lostAt });
  });
});

describe('saying a pause', () => {
  const since = 1_000_000;

  it('waits a few seconds on the first connect of a page load, so that a normal start says nothing', () => {
    const connecting: LivePause = { reason: 'connecting', since };
    expect(msUntilSaid(connecting, since)).toBe(FIRST_CONNECT_GRACE_MS);
    expect(msUntilSaid(connecting, since + FIRST_CONNECT_GRACE_MS - 1)).toBe(1);
    expect(msUntilSaid(connecting, since + FIRST_CONNECT_GRACE_MS)).toBe(0);
  });

  it('says a lost connection or missed events once they last more than a blink, not a reconnection at once', () => {
    for (const reason of ['reconnecting', 'missed'] as const) {
      expect(msUntilSaid({ reason, since }, since + 200)).toBe(SHORT_PAUSE_MS - 200);
      expect(msUntilSaid({ reason, since }, since + 60_000)).toBe(0);
    }
    expect(SHORT_PAUSE_MS).toBeLessThan(FIRST_CONNECT_GRACE_MS);
  });

  it('tells one pause from the next', () => {
    expect(pauseKey({ reason: 'reconnecting', since })).not.toBe(
      pauseKey({ reason: 'reconnecting', since: since + 1 }),
    );
    expect(pauseKey({ reason: 'missed', since })).not.toBe(pauseKey({ reason: 'reconnecting', since }));
  });
});

describe('pause text', () => {
  it('says when the connection was lost, that it reconnects, and what may be out of date', () => {
    const at = new Date(2026, 0, 5, 14, 32, 5).getTime();
    expect(clockTime(at)).toBe('14:32:05');
    expect(pauseText({ reason: 'reconnecting', since: at }, 'The list')).toEqual({
      title: 'Live updates paused',
      detail: 'The live connection was lost at 14:32:05: reconnecting… The list may be out of date.',
    });
  });

  it('says a first connect that does not come, and events missed, in words', () => {
    expect(pauseText({ reason: 'connecting', since: 0 }, 'This task')).toEqual({
      title: 'Live updates not available',
      detail: 'Connecting… This task may be out of date.',
    });
    expect(pauseText({ reason: 'missed', since: 0 }, 'This run')).toEqual({
      title: 'Live updates paused',
      detail: 'Some live updates were missed: reading the latest… This run may be out of date.',
    });
  });
});
