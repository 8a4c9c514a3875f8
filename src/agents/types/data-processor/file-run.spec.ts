import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionContext } from '../../../../test/fakes/execution-context';
import { recordFiles } from '../../../../test/fakes/record-files';
import { AgentExecutionError } from '../../agent-type';
import { DataProcessorAgentType, type DataProcessorConfig } from './data-processor.agent-type';
import type { DataRecord, PipelineStep } from './pipeline';

const dir = mkdtempSync(join(tmpdir(), 'ymera-dp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = recordFiles(dir);
const processor = new DataProcessorAgentType(store.files, { agents: { sortMaxRecords: 10_000 } });
/** One whose sorts hold at most 1,000 records: fewer than the file has. */
const bounded = new DataProcessorAgentType(store.files, { agents: { sortMaxRecords: 1000 } });

const orders: DataRecord[] = Array.from({ length: 2500 }, (_, i) => ({
  id: i,
  amount: (i % 7) * 10,
  note: i % 11 === 0 ? null : `n${i % 13}`,
  customer: { country: ['DE', 'FR', 'US', undefined][i % 4], name: `c${i % 50}` },
}));
const fileId = store.add(orders);
const config: DataProcessorConfig = { pipeline: [], chunkSize: 500 };

const PIPELINES: Record<string, PipelineStep[]> = {
  'filter, select, dedupe, group, sort, limit': [
    { filter: { where: { field: 'amount', op: 'gt', value: 0 } } },
    { select: { fields: ['id', 'amount', 'customer.country', 'customer.name'] } },
    { dedupe: { by: 'customer.name' } },
    {
      group: {
        by: 'customer.country',
        aggregates: {
          total: { op: 'sum', field: 'amount' },
          mean: { op: 'avg', field: 'amount' },
          n: { op: 'count' },
          low: { op: 'min', field: 'amount' },
          top: { op: 'max', field: 'amount' },
          none: { op: 'sum', field: 'missing' },
        },
      },
    },
    { sort: { by: 'total', order: 'desc' } },
    { limit: { count: 2 } },
  ],
  'streaming steps only': [
    { filter: { where: { field: 'customer.country', op: 'in', value: ['DE', 'FR'] } } },
    { select: { fields: ['id', 'customer.name'] } },
  ],
  'group first, by two fields, counting a field': [
    { group: { by: ['customer.country', 'amount'], aggregates: { n: { op: 'count', field: 'note' } } } },
    { filter: { where: { field: 'n', op: 'gt', value: 20 } } },
  ],
  'sort then limit': [{ sort: { by: 'note' } }, { limit: { count: 30 } }],
  'sort, select, then limit': [
    { sort: { by: 'customer.name', order: 'desc' } },
    { select: { fields: ['id', 'customer.name'] } },
    { select: { fields: ['customer.name'] } },
    { limit: { count: 25 } },
  ],
  'limit that stops early, then dedupe': [{ limit: { count: 120 } }, { dedupe: { by: ['amount', 'note'] } }],
  'no steps': [],
};

describe('data-processor over a file', () => {
  it.each(Object.entries(PIPELINES))('gives what the same records inline give: %s', async (_name, pipeline) => {
    const inline = await processor.execute(executionContext({ records: orders, pipeline }, config));
    const ctx = executionContext({ file: fileId, pipeline }, config);
    const out = await processor.execute(ctx);
    expect(out.records).toEqual(inline.records);
    expect(out.outputFileId).toBeUndefined();
    expect(out.stats).toMatchObject({ inputCount: 2500, chunks: 5, outputCount: inline.records!.length });
    expect(ctx.progressReports.at(-1)).toBe(100);
  });

  it('fails a sort that would hold more than DATA_PROCESSOR_SORT_MAX_RECORDS, for good; a sort and a limit hold the limit', async () => {
    const sorted = bounded.execute(executionContext({ file: fileId, pipeline: [{ sort: { by: 'amount' } }] }, config));
    await expect(sorted).rejects.toMatchObject({ code: 'SORT_TOO_LARGE', retryable: false });
    await expect(sorted).rejects.toThrow(/at most 1000 records/);
    // Filtered first, under the bound: it sorts.
    const few: PipelineStep[] = [
      { filter: { where: { field: 'id', op: 'lt', value: 900 } } },
      { sort: { by: 'amount' } },
    ];
    const fewOut = await bounded.execute(executionContext({ file: fileId, pipeline: few }, config));
    expect(fewOut.records).toHaveLength(900);
    // Followed by a limit: every record passes through, the first 40 are kept, as a full sort gives them.
    const top: PipelineStep[] = [{ sort: { by: 'amount', order: 'desc' } }, { limit: { count: 40 } }];
    const topOut = await bounded.execute(executionContext({ file: fileId, pipeline: top }, config));
    const inline = await processor.execute(executionContext({ records: orders, pipeline: top }, config));
    expect(topOut.records).toEqual(inline.records);
    expect(topOut.records).toHaveLength(40);
    // Selects between the sort and the limit change each record, not which ones come first: it holds the limit.
    const selected: PipelineStep[] = [top[0], { select: { fields: ['id', 'amount'] } }, top[1]];
    const selectedOut = await bounded.execute(executionContext({ file: fileId, pipeline: selected }, config));
    expect(selectedOut.records).toEqual(inline.records!.map((r) => ({ id: r.id, amount: r.amount })));
    // Chunks larger than the bound: a limit within it still sorts.
    const bigChunks = { ...config, chunkSize: 2500 };
    const one = await bounded.execute(executionContext({ file: fileId, pipeline: top }, bigChunks));
    expect(one.records).toEqual(inline.records);
  });

  it('fails a group or a dedupe that would hold more than the bound, for good, over a file and inline alike', async () => {
    // 2,500 distinct ids: 2,500 groups × (1 aggregate + 1) and 2,500 keys, over the bound of 1,000.
    const byId: PipelineStep[] = [{ group: { by: 'id', aggregates: { n: { op: 'count' } } } }];
    const deduped: PipelineStep[] = [{ dedupe: { by: 'id' } }];
    for (const input of [{ file: fileId }, { records: orders }]) {
      const grouped = bounded.execute(executionContext({ ...input, pipeline: byId }, config));
      await expect(grouped).rejects.toMatchObject({ code: 'GROUP_TOO_LARGE', retryable: false });
      const kept = bounded.execute(executionContext({ ...input, pipeline: deduped }, config));
      await expect(kept).rejects.toMatchObject({ code: 'DEDUPE_TOO_LARGE', retryable: false });
    }
    // Few distinct values (amount: 7), many aggregates: within the bound.
    const aggregates = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`s${i}`, { op: 'sum' as const, field: 'amount' }]),
    );
    const fine = await bounded.execute(
      executionContext({ file: fileId, pipeline: [{ group: { by: 'amount', aggregates } }] }, config),
    );
    expect(fine.records).toHaveLength(7);
  });

  it('writes an output over the inline limit to a new file of the input file’s owner, and cleans up', async () => {
    const pipeline: PipelineStep[] = [{ select: { fields: ['id', 'amount'] } }];
    const ctx = executionContext({ file: fileId, pipeline }, { ...config, maxInlineOutputBytes: 10_000 });
    const out = await processor.execute(ctx);
    expect(out.records).toBeUndefined();
    expect(out.stats).toMatchObject({ inputCount: 2500, outputCount: 2500 });
    const row = store.repository.rows.get(out.outputFileId!)!;
    expect(row).toMatchObject({ createdBy: 'user-1', taskId: 'task-1', records: 2500, format: 'ndjson' });
    const text = readFileSync(store.storage.pathOf(row.id), 'utf8');
    expect(row.sizeBytes).toBe(Buffer.byteLength(text));
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(orders.map((o) => ({ id: o.id, amount: o.amount })));
    expect(existsSync(store.storage.workPath('task-1'))).toBe(false);
  });

  it('an attempt stopped midway is resumed from its parts, dropping what it wrote after the last one', async () => {
    const pipeline = PIPELINES['streaming steps only'];
    const controller = new AbortController();
    const first = executionContext({ file: fileId, pipeline }, config, { taskId: 'task-2', signal: controller.signal });
    const save = first.checkpointPart;
    first.checkpointPart = async (seq, part) => {
      await save(seq, part);
      if (first.parts.size === 3) {
        // What a worker killed between writing and saving the next part leaves behind.
        appendFileSync(store.storage.workPath('task-2'), '{"id":"half-written"}\n');
        controller.abort(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
      }
    };
    await expect(processor.execute(first)).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(existsSync(store.storage.workPath('task-2'))).toBe(true);

    const retry = executionContext({ file: fileId, pipeline }, config, { taskId: 'task-2', attempt: 2 });
    for (const [seq, part] of first.parts) retry.parts.set(seq, part);
    const out = await processor.execute(retry);
    expect(out.stats.resumedFromChunk).toBe(3);
    expect(retry.partWrites).toEqual([3, 4]);
    const inline = await processor.execute(executionContext({ records: orders, pipeline }, config));
    expect(out.records).toEqual(inline.records);
  });

  it('starts the file again when the work file is gone', async () => {
    const pipeline = PIPELINES['streaming steps only'];
    const first = executionContext({ file: fileId, pipeline }, config, { taskId: 'task-3' });
    await processor.execute(first);
    const retry = executionContext({ file: fileId, pipeline }, config, { taskId: 'task-3', attempt: 2 });
    for (const [seq, part] of first.parts) retry.parts.set(seq, part);
    const out = await processor.execute(retry);
    expect(out.stats.resumedFromChunk).toBe(0);
    expect(out.records).toHaveLength(1250);
  });

  it('fails at once, without retries, when the file does not exist', async () => {
    const ctx = executionContext({ file: '00000000-0000-4000-8000-000000000000' }, config);
    const err = await processor.execute(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentExecutionError);
    expect(err).toMatchObject({ code: 'FILE_NOT_FOUND', retryable: false });
  });

  it('removes the work file an earlier attempt kept when the file is gone at the next', async () => {
    const gone = store.add(orders);
    const pipeline = PIPELINES['streaming steps only'];
    const controller = new AbortController();
    const first = executionContext({ file: gone, pipeline }, config, { taskId: 'task-4', signal: controller.signal });
    const save = first.checkpointPart;
    first.checkpointPart = async (seq, part) => {
      await save(seq, part);
      controller.abort(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
    };
    await expect(processor.execute(first)).rejects.toMatchObject({ retryable: true });
    expect(existsSync(store.storage.workPath('task-4'))).toBe(true);
    store.repository.rows.delete(gone);
    const retry = executionContext({ file: gone, pipeline }, config, { taskId: 'task-4', attempt: 2 });
    await expect(processor.execute(retry)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', retryable: false });
    expect(existsSync(store.storage.workPath('task-4'))).toBe(false);
  });

  it("reads another user's file as missing: a task reads only the files of the user it runs for", async () => {
    const theirs = store.add(orders, 'user-2');
    const err = await processor.execute(executionContext({ file: theirs }, config)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FILE_NOT_FOUND', retryable: false });
    const own = await processor.execute(executionContext({ file: theirs }, config, { createdBy: 'user-2' }));
    expect(own.stats.inputCount).toBe(orders.length);
  });
});
