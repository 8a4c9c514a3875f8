import type { MessageEvent } from '@nestjs/common';
import {
  catchError,
  concat,
  concatMap,
  defer,
  EMPTY,
  finalize,
  from,
  map,
  merge,
  type Observable,
  of,
  ReplaySubject,
  takeWhile,
} from 'rxjs';

/** The SSE `event:` name of every event of a stream, or of each event. */
export type EventType<T> = string | ((event: T) => string);

/**
 * A Server-Sent Events stream of one resource: its current state first, then its updates, closed after
 * the first final one. Subscribe to `updates` before reading the current state, so nothing falls between.
 */
export function resourceStream<T>(
  type: EventType<T>,
  current: T,
  updates: Observable<T>,
  isFinal: (event: T) => boolean,
): Observable<MessageEvent> {
  return concat(
    from([current]),
    defer(() => updates),
  ).pipe(
    takeWhile((event) => !isFinal(event), true),
    map((data) => ({ type: typeof type === 'string' ? type : type(data), data: data as object })),
  );
}

/** Events held for a stream between its subscription and its first reader. */
const HELD_EVENTS = 100;

/**
 * {@link resourceStream} with nothing lost in between: updates are listened to (and held) before the current
 * state is read, so a change made while it is read is still streamed after it. On each of `resyncs` (events may
 * have been missed) the current state is read and streamed again: a resource that ended meanwhile ends it.
 *
 * A held update may be older than the state read (published before the read, delivered after it began), and a
 * resource can leave a final state (a failed run or task retried): a final update is therefore streamed as the
 * state read again when it comes, and the stream ends only when that state is final. A stale "failed" held from
 * before a retry so does not end the stream of a resource running again; an update that is not final may still
 * show a step of a moment before the state read, which the next update (or the final state) puts right.
 */
export async function liveResourceStream<T>(
  type: EventType<T>,
  updates: Observable<T>,
  readCurrent: () => Promise<T>,
  isFinal: (event: T) => boolean,
  resyncs: Observable<unknown> = EMPTY,
): Promise<Observable<MessageEvent>> {
  const held = new ReplaySubject<T>(HELD_EVENTS);
  const reread = resyncs.pipe(concatMap(() => from(readCurrent()).pipe(catchError(() => EMPTY))));
  const listening = merge(updates, reread).subscribe(held);
  // When the state cannot be read again, the update is taken at its word.
  const confirmed = (event: T): Observable<T> =>
    isFinal(event) ? from(readCurrent()).pipe(catchError(() => of(event))) : of(event);
  try {
    const current = await readCurrent();
    const later = held.pipe(
      concatMap(confirmed),
      finalize(() => listening.unsubscribe()),
    );
    return resourceStream<T>(type, current as T, later, isFinal);
  } catch (err) {
    listening.unsubscribe();
    throw err;
  }
}
