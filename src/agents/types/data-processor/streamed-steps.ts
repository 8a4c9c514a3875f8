import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { nonRetryable } from '../../agent-type';
import { type DataRecord, firstOfKey, Groups, type PipelineStep, runSteps } from './pipeline';
import { sortRecords } from './sort-records';

/** Records in chunks, as they are read from a file. */
export type RecordChunks = AsyncIterable<DataRecord[]>;

/**
 * Records held in memory (a sort's, a group's) as chunks again, with a turn of the event loop before each: the
 * steps after it and the output run on them chunk by chunk, not all in one go.
 */
async function* rechunk(records: DataRecord[], size: number): RecordChunks {
  for (let i = 0; i < records.length; i += size) {
    await yieldToEventLoop();
    yield records.slice(i, i + size);
  }
}

/** `group` over a stream ({@link Groups}): memory grows with the groups, not the records. */
async function* group(
  source: RecordChunks,
  step: Extract<PipelineStep, { group: unknown }>,
  size: number,
  maxHeld: number,
) {
  const groups = new Groups(step.group, maxHeld);
  for await (const chunk of source) for (const record of chunk) groups.add(record);
  yield* rechunk(groups.results(), size);
}

/** `dedupe` over a stream: it keeps the keys it has seen, not the records. */
async function* dedupe(source: RecordChunks, by: string | string[], maxHeld: number) {
  const first = firstOfKey(by, maxHeld);
  for await (const chunk of source) yield chunk.filter(first);
}

async function* limit(source: RecordChunks, count: number) {
  let left = count;
  if (left <= 0) return;
  for await (const chunk of source) {
    const taken = chunk.length <= left ? chunk : chunk.slice(0, left);
    left -= taken.length;
    yield taken;
    // Returning stops the reading upstream: the rest of the file is never read.
    if (left === 0) return;
  }
}

const sortTooLarge = (max: number) =>
  nonRetryable(
    'SORT_TOO_LARGE',
    `A sort holds at most ${max} records (DATA_PROCESSOR_SORT_MAX_RECORDS) and more reached it: ` +
      'filter, group or dedupe before it, or follow it with a limit',
  );

type SortStep = Extract<PipelineStep, { sort: unknown }>['sort'];

/**
 * `sort` needs every record that reaches it: it holds them, at most `max` (put filter, select and group before
 * it), and sorts them in slices, letting the event loop in between ({@link sortRecords}).
 */
async function* sort(source: RecordChunks, step: SortStep, size: number, max: number) {
  const all: DataRecord[] = [];
  for await (const chunk of source) {
    if (all.length + chunk.length > max) throw sortTooLarge(max);
    for (const record of chunk) all.push(record);
  }
  yield* rechunk(await sortRecords(all, step.by, step.order), size);
}

/**
 * `sort` then `limit`: the first `count` records in order, holding about twice that many (or the count and a chunk,
 * within `max`) whatever reaches it. The kept records are sorted again with each new chunk once there are enough of them; the sort is stable and the
 * kept ones came first, so ties keep their order, as in a sort of every record.
 */
async function* sortedFirst(source: RecordChunks, step: SortStep, count: number, size: number, max: number) {
  if (count <= 0) return;
  // Trimmed before it holds more than the bound allows, so a limit within the bound always sorts.
  const trimAt = Math.min(Math.max(2 * count, count + size), max);
  let kept: DataRecord[] = [];
  for await (const chunk of source) {
    for (const record of chunk) kept.push(record);
    if (kept.length > trimAt) kept = (await sortRecords(kept, step.by, step.order)).slice(0, count);
    // Only a limit over the bound keeps more than it.
    if (kept.length > max) throw sortTooLarge(max);
  }
  yield* rechunk((await sortRecords(kept, step.by, step.order)).slice(0, count), size);
}

async function* perChunk(source: RecordChunks, step: PipelineStep) {
  for await (const chunk of source) yield await runSteps(chunk, [step]);
}

/**
 * The pipeline over a stream of chunks, each step as lean as it can be: filter and select chunk by chunk,
 * limit stops reading once it has enough, dedupe keeps the keys it saw, group one set of aggregates per
 * group, sort every record that reaches it (up to `sortMaxRecords`), or only the first ones when a limit follows
 * (after selects or not). Gives what {@link applySteps} gives over all the records at once.
 */
export function streamSteps(
  source: RecordChunks,
  steps: PipelineStep[],
  size: number,
  sortMaxRecords: number,
): RecordChunks {
  let records = source;
  for (let i = 0; i < steps.length; i += 1) {
    const step = steps[i];
    // A select changes each record, not which ones nor their order: a limit after selects is the sort's limit.
    let j = i + 1;
    while (j < steps.length && 'select' in steps[j]) j += 1;
    const after = steps[j];
    if ('sort' in step && after && 'limit' in after) {
      records = sortedFirst(records, step.sort, after.limit.count, size, sortMaxRecords);
      for (const select of steps.slice(i + 1, j)) records = perChunk(records, select);
      i = j;
    } else if ('sort' in step) records = sort(records, step.sort, size, sortMaxRecords);
    else if ('group' in step) records = group(records, step, size, sortMaxRecords);
    else if ('dedupe' in step) records = dedupe(records, step.dedupe.by, sortMaxRecords);
    else if ('limit' in step) records = limit(records, step.limit.count);
    else records = perChunk(records, step);
  }
  return records;
}
