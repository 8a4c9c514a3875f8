/**
 * Whether a page's live updates are paused, and whether to say so. A page following something live keeps what it
 * shows current through the console's one live connection: while that connection is down, or what the page
 * shows is being read again after events were missed, the page may be out of date and says so, politely.
 */

/** The console's live connection, as the pages' notice needs it. */
export type LiveConnection =
  /** Not connected yet since it was opened (a page load's first connect): `since` it was opened. */
  | { state: 'connecting'; since: number }
  | { state: 'up' }
  /** Connected once, then lost (`since` then): Socket.IO, or the console, is connecting again. */
  | { state: 'lost'; since: number };

/**
 * What a page still has to read again before it is current: after a reconnection, until its subscription is
 * acknowledged and what it covers read again (`since`: when the connection was lost); after the server's
 * `resync` (events were missed while its Redis was away), until that is read again (`since`: the resync).
 */
export interface CatchUp {
  reason: 'reconnected' | 'missed';
  since: number;
}

/** Why live updates are paused, and since when (for `missed`, when the server said events were lost). */
export interface LivePause {
  reason: 'connecting' | 'reconnecting' | 'missed';
  since: number;
}

/** The first connect of a page load is not said to fail until it has taken this long. */
export const FIRST_CONNECT_GRACE_MS = 5_000;
/** A pause shorter than this (a reconnection at once, a quick read) is not said: the notice would only flash. */
export const SHORT_PAUSE_MS = 1_500;

/**
 * Live updates are paused while the connection is not up, and after a reconnection or a `resync` until the page
 * has read again what it shows. Once the connection is back, a pause is that of the catch-up (since the
 * connection was lost). Null when the page is current.
 */
export function livePause(connection: LiveConnection, catchUp: CatchUp | null): LivePause | null {
  if (connection.state === 'connecting') return { reason: 'connecting', since: connection.since };
  if (connection.state === 'lost') return { reason: 'reconnecting', since: connection.since };
  if (!catchUp) return null;
  return { reason: catchUp.reason === 'missed' ? 'missed' : 'reconnecting', since: catchUp.since };
}

/** How long a pause lasts before it is said: the first connect gets longer than a connection lost. */
export function delayBeforeSaying(pause: LivePause): number {
  return pause.reason === 'connecting' ? FIRST_CONNECT_GRACE_MS : SHORT_PAUSE_MS;
}

/** How long from `now` until `pause` is said: none left (0) once it has lasted long enough. */
export function msUntilSaid(pause: LivePause, now: number): number {
  return Math.max(0, pause.since + delayBeforeSaying(pause) - now);
}

/** One pause from another: a pause that goes on keeps its key (its reason and start). */
export function pauseKey(pause: LivePause): string {
  return `${pause.reason}@${pause.since}`;
}

/** "14:32:05", in the browser's time zone. */
export function clockTime(at: number): string {
  return new Date(at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * The notice in words: what stopped, what the console is doing about it, and what it means for the page
 * (`subject`: "The list", "This task", …). Its wording stays the same while the pause lasts, so that a screen
 * reader says it once.
 */
export function pauseText(pause: LivePause, subject: string): { title: string; detail: string } {
  const outOfDate = `${subject} may be out of date.`;
  switch (pause.reason) {
    case 'connecting':
      return { title: 'Live updates not available', detail: `Connecting… ${outOfDate}` };
    case 'reconnecting':
      return {
        title: 'Live updates paused',
        detail: `The live connection was lost at ${clockTime(pause.since)}: reconnecting… ${outOfDate}`,
      };
    case 'missed':
      return {
        title: 'Live updates paused',
        detail: `Some live updates were missed: reading the latest… ${outOfDate}`,
      };
  }
}
