import { isStoredId } from './http/ids';
import { storedObject } from './stored-cursor';

/** A place in a list of finishes ordered by (finish time, id): the last one read. */
export interface FinishCursor {
  at: Date;
  id: string;
}

/** The cursor before every finish at `at` or later. */
export const cursorAt = (at: Date): FinishCursor => ({ at, id: '00000000-0000-0000-0000-000000000000' });

/** A finish cursor as its JSON was kept (`at` as an ISO date), or undefined when the value is not one. */
export function parseFinishCursor(value: unknown): FinishCursor | undefined {
  const { at, id } = storedObject(value) ?? {};
  const date = typeof at === 'string' ? new Date(at) : undefined;
  return date && !Number.isNaN(date.getTime()) && isStoredId(id) ? { at: date, id } : undefined;
}
