import type { RecordFiles } from '../../../files/record-files';
import { AgentExecutionError } from '../../agent-type';
import { executionContext } from '../../../../test/fakes/execution-context';
import { DataProcessorAgentType, type DataProcessorConfig } from './data-processor.agent-type';
import type { DataRecord, PipelineStep } from './pipeline';

const processor = new DataProcessorAgentType({} as RecordFiles, { agents: { sortMaxRecords: 10_000 } });

const orders: DataRecord[] = Array.from({ length: 2500 }, (_, i) => ({
  id: i,
  amount: (i % 7) * 10,
  customer: { country: ['DE', 'FR', 'US'][i % 3], name: `c${i % 50}` },
}));

const pipeline: PipelineStep[] = [
  {
    filter: {
      where: {
        and: [
          { field: 'amount', op: 'gt', value: 0 },
          { field: 'customer.country', op: 'in', value: ['DE', 'FR'] },
        ],
      },
    },
  },
  { select: { fields: ['id', 'amount', 'customer.country', 'customer.name'] } },
  { dedupe: { by: 'customer.name' } },
  {
    group: {
      by: 'customer.country',
      aggregates: { total: { op: 'sum', field: 'amount' }, n: { op: 'count' }, top: { op: 'max', field: 'amount' } },
    },
  },
  { sort: { by: 'total', order: 'desc' } },
  { limit: { count: 5 } },
];
const config: DataProcessorConfig = { pipeline: [], chunkSize: 500 };

function expected(): DataRecord[] {
  const kept = orders.filter(
    (o) => (o.amount as number) > 0 && ['DE', 'FR'].includes((o.customer as DataRecord).country as string),
  );
  const seen = new Set<string>();
  const unique = kept.filter((o) => {
    const name = (o.customer as DataRecord).name as string;
    return seen.has(name) ? false : (seen.add(name), true);
  });
  const byCountry = new Map<string, number[]>();
  for (const o of unique) {
    const c = (o.customer as DataRecord).country as string;
    byCountry.set(c, [...(byCountry.get(c) ?? []), o.amount as number]);
  }
  return [...byCountry]
    .map(([country, amounts]) => ({
      customer: { country },
      total: amounts.reduce((a, b) => a + b, 0),
      n: amounts.length,
      top: Math.max(...amounts),
    }))
    .sort((a, b) => b.total - a.total);
}

describe('data-processor', () => {
  it('runs the pipeline chunk by chunk, saving what each chunk produced as one checkpoint part', async () => {
    const ctx = executionContext({ records: orders, pipeline }, config);
    const out = await processor.execute(ctx);
    expect(out.records).toEqual(expected());
    expect(out.stats).toMatchObject({
      inputCount: 2500,
      chunks: 5,
      resumedFromChunk: 0,
      outputCount: out.records!.length,
    });
    expect(ctx.partWrites).toEqual([0, 1, 2, 3, 4]);
    expect(ctx.checkpoints).toHaveLength(0);
    expect(ctx.progressReports).toEqual([20, 40, 60, 80, 100]);
  });

  it('writes per chunk only what that chunk produced', async () => {
    const ctx = executionContext({ records: orders, pipeline: [{ select: { fields: ['id'] } }] }, config);
    await processor.execute(ctx);
    // Each part holds its own chunk's records, not everything before it.
    expect([...ctx.parts]).toEqual(
      [0, 1, 2, 3, 4].map((i) => [i, { records: orders.slice(i * 500, (i + 1) * 500).map((o) => ({ id: o.id })) }]),
    );
  });

  it('uses the configured pipeline when the input has none', async () => {
    const ctx = executionContext(
      { records: orders.slice(0, 10) },
      { pipeline: [{ limit: { count: 2 } }], chunkSize: 1000 },
    );
    expect((await processor.execute(ctx)).records!.map((r) => r.id)).toEqual([0, 1]);
  });

  it('an attempt stopped midway is resumed from its saved parts, not from the start', async () => {
    const controller = new AbortController();
    const first = executionContext({ records: orders, pipeline }, config, { signal: controller.signal });
    const save = first.checkpointPart;
    first.checkpointPart = async (seq, part) => {
      await save(seq, part);
      if (first.parts.size === 3) controller.abort(new Error('worker stopped'));
    };
    await expect(processor.execute(first)).rejects.toBeInstanceOf(AgentExecutionError);
    expect(first.partWrites).toEqual([0, 1, 2]);

    const retry = executionContext({ records: orders, pipeline }, config, { attempt: 2 });
    for (const [seq, part] of first.parts) retry.parts.set(seq, part);
    const out = await processor.execute(retry);
    expect(out.stats.resumedFromChunk).toBe(3);
    expect(retry.partWrites).toEqual([3, 4]);
    expect(out.records).toEqual(expected());
  });

  it('resumes only from an unbroken run of parts from the first chunk', async () => {
    const first = executionContext({ records: orders, pipeline }, config);
    await processor.execute(first);
    const retry = executionContext({ records: orders, pipeline }, config, { attempt: 2 });
    for (const seq of [0, 1, 3]) retry.parts.set(seq, first.parts.get(seq));
    const out = await processor.execute(retry);
    expect(out.stats.resumedFromChunk).toBe(2);
    expect(out.records).toEqual(expected());
  });

  it('still resumes from a whole checkpoint saved by an earlier version', async () => {
    const streamed = orders.slice(0, 1000).filter((o) => (o.amount as number) > 0);
    const retry = executionContext({ records: orders, pipeline: [pipeline[0]] }, config, {
      attempt: 2,
      lastCheckpoint: {
        nextChunk: 2,
        partial: streamed.filter((o) => ['DE', 'FR'].includes((o.customer as DataRecord).country as string)),
      },
    });
    const out = await processor.execute(retry);
    expect(out.stats.resumedFromChunk).toBe(2);
    expect(out.records!.map((r) => r.id)).toEqual(
      orders
        .filter((o) => (o.amount as number) > 0 && ['DE', 'FR'].includes((o.customer as DataRecord).country as string))
        .map((o) => o.id),
    );
  });
});
