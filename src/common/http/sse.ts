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
  try {
    const current = await readCurrent();
    return resourceStream<T>(type, current as T, held.pipe(finalize(() => listening.unsubscribe())), isFinal);
  } catch (err) {
    listening.unsubscribe();
    throw err;
  }
}
