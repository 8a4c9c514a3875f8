import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { nonRetryable } from '../../agent-type';
import {
  compileCondition,
  type Condition,
  getPath,
  isUnsafePath,
  SAFE_PATH_SCHEMA,
} from '../../../common/conditions/condition';
import { sortedSync, sortRecords } from './sort-records';

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';
export type PipelineStep =
  | { filter: { where: Condition } }
  | { select: { fields: string[] } }
  | { sort: { by: string; order?: 'asc' | 'desc' } }
  | { group: { by: string | string[]; aggregates: Record<string, { op: AggregateOp; field?: string }> } }
  | { dedupe: { by: string | string[] } }
  | { limit: { count: number } };

export type DataRecord = Record<string, unknown>;

/** A `by` of group and dedupe: one field, or several. */
const FIELDS = {
  oneOf: [
    { title: 'One field', ...SAFE_PATH_SCHEMA },
    { title: 'Several fields', type: 'array', minItems: 1, items: SAFE_PATH_SCHEMA },
  ],
};

export const PIPELINE_SCHEMA = {
  type: 'array',
  maxItems: 50,
  items: {
    title: 'step',
    description: 'One kind of step: filter, select, sort, group, dedupe or limit',
    type: 'object',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
    properties: {
      filter: {
        description: 'Keeps the records that match a condition',
        type: 'object',
        required: ['where'],
        additionalProperties: false,
        properties: { where: { $ref: 'ymera:condition' } },
      },
      select: {
        description: 'Keeps only these fields of each record (dotted paths)',
        type: 'object',
        required: ['fields'],
        additionalProperties: false,
        properties: { fields: { type: 'array', minItems: 1, maxItems: 200, items: SAFE_PATH_SCHEMA } },
      },
      sort: {
        description: 'Orders the records by a field',
        type: 'object',
        required: ['by'],
        additionalProperties: false,
        properties: { by: SAFE_PATH_SCHEMA, order: { enum: ['asc', 'desc'], default: 'asc' } },
      },
      group: {
        description: 'One record per value of the fields, with aggregates over each group',
        type: 'object',
        required: ['by', 'aggregates'],
        additionalProperties: false,
        properties: {
          by: FIELDS,
          aggregates: {
            type: 'object',
            maxProperties: 50,
            description: 'Each output field by name, and how it is computed',
            propertyNames: SAFE_PATH_SCHEMA,
            additionalProperties: {
              title: 'aggregate',
              type: 'object',
              required: ['op'],
              additionalProperties: false,
              properties: { op: { enum: ['sum', 'avg', 'min', 'max', 'count'] }, field: SAFE_PATH_SCHEMA },
            },
          },
        },
      },
      dedupe: {
        description: 'Keeps the first record of each value of the fields',
        type: 'object',
        required: ['by'],
        additionalProperties: false,
        properties: {
          by: FIELDS,
        },
      },
      limit: {
        description: 'Keeps the first records',
        type: 'object',
        required: ['count'],
        additionalProperties: false,
        properties: { count: { type: 'integer', minimum: 0 } },
      },
    },
  },
} as const;

/** filter and select look at one record at a time, so they run chunk by chunk; the rest need everything. */
export function isStreaming(step: PipelineStep): boolean {
  return 'filter' in step || 'select' in step;
}

export function keyOf(record: DataRecord, by: string | string[]): string {
  return JSON.stringify((Array.isArray(by) ? by : [by]).map((field) => getPath(record, field) ?? null));
}

/** Writes an own data property, whatever its name: `__proto__` as a key is data, never the prototype. */
function define(target: DataRecord, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Writes `a.b.c` into a record built by the pipeline, creating plain objects on the way; own properties only.
 * The schema refuses paths through `__proto__`, `prototype` or `constructor`; such a path writes nothing here.
 */
export function setPath(target: DataRecord, path: string, value: unknown): void {
  if (isUnsafePath(path)) return;
  const segments = path.split('.');
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (typeof next === 'object' && next !== null) node = next as DataRecord;
    else {
      const created: DataRecord = {};
      define(node, segment, created);
      node = created;
    }
  }
  define(node, segments[segments.length - 1], value);
}

type GroupStep = Extract<PipelineStep, { group: unknown }>['group'];

/** One aggregate of one group, kept as it goes: what it needs of the records seen so far, not the records. */
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

/**
 * `group`, a record at a time: one set of running aggregates per group, so memory grows with the groups, not
 * the records. The groups come out in the order they were first seen, each with its `by` fields (as its first
 * record has them) and then its aggregates.
 */
/**
 * What a group or a dedupe may hold (DATA_PROCESSOR_SORT_MAX_RECORDS, as a sort): a group's values (each group's
 * record and its aggregates, groups × (aggregates + 1)), a dedupe's keys. Past it the task fails for good: its
 * memory would grow with the data's distinct values, without bound.
 */
export const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export class Groups {
  private readonly fields: string[];
  private readonly specs: [string, { op: AggregateOp; field?: string }][];
  private readonly groups = new Map<string, { first: DataRecord; accs: Accumulator[] }>();

  constructor(
    private readonly step: GroupStep,
    private readonly maxHeld = UNBOUNDED,
  ) {
    this.fields = Array.isArray(step.by) ? step.by : [step.by];
    this.specs = Object.entries(step.aggregates);
  }

  add(record: DataRecord): void {
    const key = keyOf(record, this.step.by);
    let entry = this.groups.get(key);
    if (!entry) {
      if ((this.groups.size + 1) * (this.specs.length + 1) > this.maxHeld) throw groupTooLarge(this.maxHeld);
      const first: DataRecord = {};
      for (const field of this.fields) setPath(first, field, getPath(record, field) ?? null);
      entry = {
        first,
        accs: this.specs.map(([, spec]) => ({ ...spec, count: 0, sum: 0, min: Infinity, max: -Infinity })),
      };
      this.groups.set(key, entry);
    }
    for (const acc of entry.accs) accumulate(acc, record);
  }

  /** One record per group, with its aggregates. */
  results(): DataRecord[] {
    return [...this.groups.values()].map(({ first, accs }) => {
      this.specs.forEach(([name], i) => define(first, name, result(accs[i])));
      return first;
    });
  }
}

/** `dedupe`'s test, a record at a time: true for the first record of each key, false for the ones after it. */
export function firstOfKey(by: string | string[], maxHeld = UNBOUNDED): (record: DataRecord) => boolean {
  const seen = new Set<string>();
  return (record) => {
    const key = keyOf(record, by);
    if (seen.has(key)) return false;
    if (seen.size >= maxHeld) throw dedupeTooLarge(maxHeld);
    seen.add(key);
    return true;
  };
}

const groupTooLarge = (max: number) =>
  nonRetryable(
    'GROUP_TOO_LARGE',
    `A group holds at most ${max} values, groups × (aggregates + 1) (DATA_PROCESSOR_SORT_MAX_RECORDS), and more ` +
      'reached it: group by fields with fewer distinct values, ask for fewer aggregates, or filter before it',
  );
const dedupeTooLarge = (max: number) =>
  nonRetryable(
    'DEDUPE_TOO_LARGE',
    `A dedupe keeps at most ${max} keys (DATA_PROCESSOR_SORT_MAX_RECORDS) and more reached it: filter before it`,
  );

export function applyStep(records: DataRecord[], step: PipelineStep, maxHeld = UNBOUNDED): DataRecord[] {
  if ('filter' in step) return records.filter(compileCondition(step.filter.where).matches);
  if ('select' in step) {
    return records.map((r) => {
      const out: DataRecord = {};
      for (const field of step.select.fields) {
        const value = getPath(r, field);
        if (value !== undefined) setPath(out, field, value);
      }
      return out;
    });
  }
  if ('sort' in step) return sortedSync(records, step.sort.by, step.sort.order);
  if ('dedupe' in step) return records.filter(firstOfKey(step.dedupe.by, maxHeld));
  if ('limit' in step) return records.slice(0, step.limit.count);
  const groups = new Groups(step.group, maxHeld);
  for (const record of records) groups.add(record);
  return groups.results();
}

/** The steps over records in memory; `maxHeld` bounds what a group or a dedupe holds. */
export function applySteps(records: DataRecord[], steps: PipelineStep[], maxHeld = UNBOUNDED): DataRecord[] {
  return steps.reduce((out, step) => applyStep(out, step, maxHeld), records);
}

/**
 * Field comparisons a filter runs between two turns of the event loop: a few milliseconds. A condition of a
 * few comparisons filters a whole chunk at once; one of thousands (`or` lists nest) takes its turns.
 */
export const FILTER_SLICE_COMPARISONS = 200_000;

/** `filter`, letting the event loop in every {@link FILTER_SLICE_COMPARISONS} comparisons. */
export async function filterRecords(
  records: DataRecord[],
  where: Condition,
  sliceComparisons = FILTER_SLICE_COMPARISONS,
): Promise<DataRecord[]> {
  const { matches, comparisons } = compileCondition(where);
  const slice = Math.max(1, Math.floor(sliceComparisons / Math.max(1, comparisons)));
  if (records.length <= slice) return records.filter(matches);
  const kept: DataRecord[] = [];
  for (let from = 0; from < records.length; from += slice) {
    if (from > 0) await yieldToEventLoop();
    const to = Math.min(from + slice, records.length);
    for (let i = from; i < to; i += 1) if (matches(records[i])) kept.push(records[i]);
  }
  return kept;
}

/**
 * What {@link applySteps} gives, without holding the event loop for a long filter or sort: a filter takes
 * turns ({@link filterRecords}), a sort sorts and merges in slices ({@link sortRecords}).
 */
export async function runSteps(records: DataRecord[], steps: PipelineStep[], maxHeld = UNBOUNDED) {
  let out = records;
  for (const step of steps) {
    if ('filter' in step) out = await filterRecords(out, step.filter.where);
    else if ('sort' in step) out = await sortRecords(out, step.sort.by, step.sort.order);
    else out = applyStep(out, step, maxHeld);
  }
  return out;
}
