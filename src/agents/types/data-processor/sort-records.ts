import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { readerOf } from '../../../common/conditions/condition';

/**
 * A sort's order of values: numbers by value, anything else by its text in the server's locale
 * (`localeCompare`); a missing or null value after every other one (before them, in descending order), missing
 * and null alike, so they keep their input order among themselves.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing && bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export interface SortSlices {
  /** Records sorted in one go, before the event loop gets a turn. */
  run: number;
  /** Records merged between two turns of the event loop. */
  merge: number;
}

/**
 * Sorting 20,000 records by a text field takes some 20 ms of one core, merging 5,000 a few: however many records
 * a sort holds (DATA_PROCESSOR_SORT_MAX_RECORDS), other requests get a turn that often.
 */
export const SORT_SLICES: SortSlices = { run: 20_000, merge: 5_000 };

/** The positions of `keys[from..to)` in order, ties in input order (Array.prototype.sort is stable). */
function sortedRun(keys: unknown[], direction: number, from: number, to: number): Uint32Array {
  const positions = Array.from({ length: to - from }, (_, i) => from + i);
  positions.sort((a, b) => direction * compareValues(keys[a], keys[b]));
  return Uint32Array.from(positions);
}

/** The records in the order of `sort {by, order}`, ties in input order, all at once. */
export function sortedSync<T>(records: T[], by: string, order?: 'asc' | 'desc'): T[] {
  const read = readerOf(by);
  const keys = records.map(read);
  return Array.from(sortedRun(keys, order === 'desc' ? -1 : 1, 0, records.length), (i) => records[i]);
}

/**
 * What {@link sortedSync} gives, without holding the event loop for the whole sort: runs of `slices.run`
 * records have their keys read and are sorted one at a time, then merged two by two, `slices.merge` records
 * at a time, with a turn of the event loop between. Each key is read once, not once per comparison. A tie takes
 * the run that came first, so records with equal keys keep their input order.
 */
export async function sortRecords<T>(
  records: T[],
  by: string,
  order?: 'asc' | 'desc',
  slices: SortSlices = SORT_SLICES,
): Promise<T[]> {
  if (records.length <= slices.run) return sortedSync(records, by, order);
  const direction = order === 'desc' ? -1 : 1;
  const read = readerOf(by);
  const keys: unknown[] = new Array(records.length);
  let runs: Uint32Array[] = [];
  for (let from = 0; from < records.length; from += slices.run) {
    const to = Math.min(from + slices.run, records.length);
    for (let i = from; i < to; i += 1) keys[i] = read(records[i]);
    runs.push(sortedRun(keys, direction, from, to));
    await yieldToEventLoop();
  }
  let budget = slices.merge;
  while (runs.length > 1) {
    const merged: Uint32Array[] = [];
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const [left, right] = [runs[r], runs[r + 1]];
      const out = new Uint32Array(left.length + right.length);
      let [i, j, k] = [0, 0, 0];
      while (i < left.length && j < right.length) {
        // `<= 0`: on a tie the left run's record, which came first in the input.
        out[k++] = direction * compareValues(keys[left[i]], keys[right[j]]) <= 0 ? left[i++] : right[j++];
        if (--budget === 0) {
          budget = slices.merge;
          await yieldToEventLoop();
        }
      }
      out.set(i < left.length ? left.subarray(i) : right.subarray(j), k);
      merged.push(out);
    }
    if (runs.length % 2 === 1) merged.push(runs[runs.length - 1]);
    runs = merged;
  }
  const sorted: T[] = new Array<T>(records.length);
  for (let from = 0; from < records.length; from += slices.run) {
    const to = Math.min(from + slices.run, records.length);
    for (let k = from; k < to; k += 1) sorted[k] = records[runs[0][k]];
    await yieldToEventLoop();
  }
  return sorted;
}
