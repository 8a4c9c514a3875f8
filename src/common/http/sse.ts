import type { MessageEvent } from '@nestjs/common';
import { concat, defer, from, map, type Observable, takeWhile } from 'rxjs';

/**
 * A Server-Sent Events stream of one resource: its current state first, then its updates, closed after
 * the first final one. Subscribe to `updates` before reading the current state, so nothing falls between.
 */
export function resourceStream<T>(
  type: string,
  current: T,
  updates: Observable<T>,
  isFinal: (event: T) => boolean,
): Observable<MessageEvent> {
  return concat(
    from([current]),
    defer(() => updates),
  ).pipe(
    takeWhile((event) => !isFinal(event), true),
    map((data) => ({ type, data: data as object })),
  );
}
