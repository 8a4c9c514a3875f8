import { applyStep, type DataRecord, firstOfKey, Groups, type PipelineStep } from './pipeline';

/** Records in chunks, as they are read from a file. */
export type RecordChunks = AsyncIterable<DataRecord[]>;

async function* rechunk(records: DataRecord[], size: number): RecordChunks {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size);
}

/** `group` over a stream ({@link Groups}): memory grows with the groups, not the records. */
async function* group(source: RecordChunks, step: Extract<PipelineStep, { group: unknown }>, size: number) {
  const groups = new Groups(step.group);
  for await (const chunk of source) for (const record of chunk) groups.add(record);
  yield* rechunk(groups.results(), size);
}

/** `dedupe` over a stream: it keeps the keys it has seen, not the records. */
async function* dedupe(source: RecordChunks, by: string | string[]) {
  const first = firstOfKey(by);
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

/** `sort` needs every record that reaches it: it holds them (put filter, select and group before it). */
async function* sort(source: RecordChunks, step: PipelineStep, size: number) {
  const all: DataRecord[] = [];
  for await (const chunk of source) for (const record of chunk) all.push(record);
  yield* rechunk(applyStep(all, step), size);
}

async function* perChunk(source: RecordChunks, step: PipelineStep) {
  for await (const chunk of source) yield applyStep(chunk, step);
}

/**
 * The pipeline over a stream of chunks, each step as lean as it can be: filter and select chunk by chunk,
 * limit stops reading once it has enough, dedupe keeps the keys it saw, group one set of aggregates per
 * group, sort every record that reaches it. Gives what {@link applySteps} gives over all the records at once.
 */
export function streamSteps(source: RecordChunks, steps: PipelineStep[], size: number): RecordChunks {
  return steps.reduce<RecordChunks>((records, step) => {
    if ('group' in step) return group(records, step, size);
    if ('dedupe' in step) return dedupe(records, step.dedupe.by);
    if ('limit' in step) return limit(records, step.limit.count);
    if ('sort' in step) return sort(records, step, size);
    return perChunk(records, step);
  }, source);
}
