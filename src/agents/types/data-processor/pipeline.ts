import { type Condition, evaluateCondition, getPath } from '../../../common/conditions/condition';

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';
export type PipelineStep =
  | { filter: { where: Condition } }
  | { select: { fields: string[] } }
  | { sort: { by: string; order?: 'asc' | 'desc' } }
  | { group: { by: string | string[]; aggregates: Record<string, { op: AggregateOp; field?: string }> } }
  | { dedupe: { by: string | string[] } }
  | { limit: { count: number } };

export type DataRecord = Record<string, unknown>;

export const PIPELINE_SCHEMA = {
  type: 'array',
  maxItems: 50,
  items: {
    type: 'object',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
    properties: {
      filter: {
        type: 'object',
        required: ['where'],
        additionalProperties: false,
        properties: { where: { $ref: 'ymera:condition' } },
      },
      select: {
        type: 'object',
        required: ['fields'],
        additionalProperties: false,
        properties: { fields: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', minLength: 1 } } },
      },
      sort: {
        type: 'object',
        required: ['by'],
        additionalProperties: false,
        properties: { by: { type: 'string', minLength: 1 }, order: { enum: ['asc', 'desc'], default: 'asc' } },
      },
      group: {
        type: 'object',
        required: ['by', 'aggregates'],
        additionalProperties: false,
        properties: {
          by: {
            oneOf: [
              { type: 'string', minLength: 1 },
              { type: 'array', minItems: 1, items: { type: 'string' } },
            ],
          },
          aggregates: {
            type: 'object',
            maxProperties: 50,
            additionalProperties: {
              type: 'object',
              required: ['op'],
              additionalProperties: false,
              properties: { op: { enum: ['sum', 'avg', 'min', 'max', 'count'] }, field: { type: 'string' } },
            },
          },
        },
      },
      dedupe: {
        type: 'object',
        required: ['by'],
        additionalProperties: false,
        properties: {
          by: {
            oneOf: [
              { type: 'string', minLength: 1 },
              { type: 'array', minItems: 1, items: { type: 'string' } },
            ],
          },
        },
      },
      limit: {
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

export function setPath(target: DataRecord, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = {};
    node = node[segment] as DataRecord;
  }
  node[segments[segments.length - 1]] = value;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function aggregate(records: DataRecord[], op: AggregateOp, field?: string): number | null {
  if (op === 'count') return field ? records.filter((r) => getPath(r, field) != null).length : records.length;
  const values = records.map((r) => getPath(r, field ?? '')).filter((v): v is number => typeof v === 'number');
  if (values.length === 0) return null;
  switch (op) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
  }
}

export function applyStep(records: DataRecord[], step: PipelineStep): DataRecord[] {
  if ('filter' in step) return records.filter((r) => evaluateCondition(step.filter.where, r));
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
  if ('sort' in step) {
    const direction = step.sort.order === 'desc' ? -1 : 1;
    return [...records].sort((a, b) => direction * compareValues(getPath(a, step.sort.by), getPath(b, step.sort.by)));
  }
  if ('dedupe' in step) {
    const seen = new Set<string>();
    return records.filter((r) => {
      const key = keyOf(r, step.dedupe.by);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  if ('limit' in step) return records.slice(0, step.limit.count);
  const groups = new Map<string, DataRecord[]>();
  for (const record of records) {
    const key = keyOf(record, step.group.by);
    const list = groups.get(key);
    if (list) list.push(record);
    else groups.set(key, [record]);
  }
  const fields = Array.isArray(step.group.by) ? step.group.by : [step.group.by];
  return [...groups.values()].map((members) => {
    const out: DataRecord = {};
    for (const field of fields) setPath(out, field, getPath(members[0], field) ?? null);
    for (const [name, spec] of Object.entries(step.group.aggregates))
      out[name] = aggregate(members, spec.op, spec.field);
    return out;
  });
}

export function applySteps(records: DataRecord[], steps: PipelineStep[]): DataRecord[] {
  return steps.reduce(applyStep, records);
}
