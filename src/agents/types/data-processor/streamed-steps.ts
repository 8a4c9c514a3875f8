import { getPath } from '../../../common/conditions/condition';
import { type AggregateOp, applyStep, type DataRecord, keyOf, type PipelineStep, setPath } from './pipeline';

/** Records in chunks, as they are read from a file. */
export type RecordChunks = AsyncIterable<DataRecord[]>;

interface Accumulator {
  op: AggregateOp;
  field?: string;
  count: number;
  sum: number;
  min: number;
  max: number;
}

function accumulate(acc: Accumulator, record: DataRecord): void {
  if (acc.op === 'count') {
    if (!acc.field || getPath(record, acc.field) != null) acc.count += 1;
    return;
  }
  const value = getPath(record, acc.field ?? '');
  if (typeof value !== 'number') return;
  acc.count += 1;
  acc.sum += value;
  if (value < acc.min) acc.min = value;
  if (value > acc.max) acc.max = value;
}

function result(acc: Accumulator): number | null {
  if (acc.op === 'count') return acc.count;
  if (acc.count === 0) return null;
  if (acc.op === 'sum') return acc.sum;
  if (acc.op === 'avg') return acc.sum / acc.count;
  return acc.op === 'min' ? acc.min : acc.max;
}

async function* rechunk(records: DataRecord[], size: number): RecordChunks {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size);
}

/** `group` over a stream: one set of running aggregates per group, so memory grows with groups, not records. */
async function* group(source: RecordChunks, step: Extract<PipelineStep, { group: unknown }>, size: number) {
  const fields = Array.isArray(step.group.by) ? step.group.by : [step.group.by];
  const specs = Object.entries(step.group.aggregates);
  const groups = new Map<string, { first: DataRecord; accs: Accumulator[] }>();
  for await (const chunk of source) {
    for (const record of chunk) {
      const key = keyOf(record, step.group.by);
      let entry = groups.get(key);
      if (!entry) {
        const first: DataRecord = {};
        for (const field of fields) setPath(first, field, getPath(record, field) ?? null);
        entry = {
          first,
          accs: specs.map(([, spec]) => ({ ...spec, count: 0, sum: 0, min: Infinity, max: -Infinity })),
        };
        groups.set(key, entry);
      }
      for (const acc of entry.accs) accumulate(acc, record);
    }
  }
  const out: DataRecord[] = [];
  for (const { first, accs } of groups.values()) {
    specs.forEach(([name], i) => (first[name] = result(accs[i])));
    out.push(first);
  }
  yield* rechunk(out, size);
}

async function* dedupe(source: RecordChunks, by: string | string[]) {
  const seen = new Set<string>();
  for await (const chunk of source) {
    yield chunk.filter((r) => {
      const key = keyOf(r, by);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
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
