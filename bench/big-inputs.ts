import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Row } from './harness';
import { launchPlatform, type Platform } from './platform';

/**
 * (h) Big inputs: the data-processor over files of 10k, 100k and 1M records (uploaded streamed with
 * `POST /files`), on a platform of its own. Two pipelines per size: filter + select whose output (half the
 * records) goes to a new file, and filter + group + sort whose output stays in the result. Targets, in the
 * same run: t(1M) ≤ 12 × t(100k), and the worker's peak RSS (VmHWM) ≤ 300 MB.
 * BENCH_H_SIZES (10000,100000,1000000) and BENCH_H_CHUNK (5000) change the sizes and the chunk size.
 */
const SIZES = (process.env.BENCH_H_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const CHUNK = Number(process.env.BENCH_H_CHUNK ?? 5000);
const MAX_RATIO = 12;
const MAX_PEAK_MB = 300;

const COUNTRIES = ['DE', 'FR', 'US', 'JP', 'BR', 'IN', 'NG', 'SE'];

/** One record per line, made as the upload streams: the bench never holds a file either. */
function records(n: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i >= n) return controller.close();
      let text = '';
      for (const end = Math.min(n, i + 2000); i < end; i += 1)
        text += `${JSON.stringify({
          id: i,
          amount: (i * 7919) % 1000,
          customer: { country: COUNTRIES[i % COUNTRIES.length], name: `customer-${i % 5000}` },
          note: `order ${i} of the bench`,
        })}\n`;
      controller.enqueue(encoder.encode(text));
    },
  });
}

async function upload(p: Platform, n: number): Promise<{ id: string; sizeBytes: number; seconds: number }> {
  const started = Date.now();
  const res = await fetch(`${p.apiUrl}/api/v1/files?name=bench-${n}.ndjson`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.accessToken}`, 'content-type': 'application/x-ndjson' },
    body: records(n),
    duplex: 'half',
  } as RequestInit);
  if (res.status !== 201) throw new Error(`upload of ${n} records: ${res.status} ${await res.text()}`);
  const { data } = (await res.json()) as { data: { id: string; sizeBytes: number } };
  return { ...data, seconds: (Date.now() - started) / 1000 };
}

const PIPELINES = {
  toFile: [
    { filter: { where: { field: 'amount', op: 'lt', value: 500 } } },
    { select: { fields: ['id', 'amount', 'customer.country'] } },
  ],
  grouped: [
    { filter: { where: { field: 'amount', op: 'gte', value: 100 } } },
    {
      group: {
        by: 'customer.country',
        aggregates: { total: { op: 'sum', field: 'amount' }, n: { op: 'count' }, mean: { op: 'avg', field: 'amount' } },
      },
    },
    { sort: { by: 'total', order: 'desc' } },
  ],
};

interface Finished {
  status: string;
  startedAt: string;
  finishedAt: string;
  output: { outputFileId?: string; stats: { outputCount: number } } | null;
  error: unknown;
}

/** Runs one task to its end; the seconds it ran (started → finished, as the task records them). */
async function runTask(p: Platform, agentId: string, input: object): Promise<{ seconds: number; task: Finished }> {
  const { id } = await p.call<{ id: string }>('/api/v1/tasks', { agentId, input, timeoutMs: 3_600_000 });
  for (;;) {
    await sleep(200);
    const task = await p.call<Finished>(`/api/v1/tasks/${id}`);
    if (['succeeded', 'failed', 'cancelled', 'expired'].includes(task.status)) {
      if (task.status !== 'succeeded') throw new Error(`task ${id}: ${task.status} ${JSON.stringify(task.error)}`);
      return { seconds: (Date.parse(task.finishedAt) - Date.parse(task.startedAt)) / 1000, task };
    }
  }
}

function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

export async function bigInputs(): Promise<Row[]> {
  const filesDir = mkdtempSync(join(tmpdir(), 'ymera-bench-files-'));
  const p = await launchPlatform({
    name: `big${Date.now().toString(36)}`,
    env: { FILES_DIR: filesDir, FILE_MAX_BYTES: '4gb', WORKER_CONCURRENCY: '2' },
  }).catch((err: unknown) => {
    rmSync(filesDir, { recursive: true, force: true });
    throw err;
  });
  try {
    const worker = await p.worker();
    const agent = await p.call<{ id: string }>('/api/v1/agents', {
      name: 'bench-data',
      type: 'data-processor',
      config: { chunkSize: CHUNK },
    });
    const runs: Record<string, unknown>[] = [];
    const seconds = new Map<number, number>();
    for (const n of SIZES) {
      const file = await upload(p, n);
      const toFile = await runTask(p, agent.id, { file: file.id, pipeline: PIPELINES.toFile });
      const grouped = await runTask(p, agent.id, { file: file.id, pipeline: PIPELINES.grouped });
      seconds.set(n, toFile.seconds + grouped.seconds);
      runs.push({
        records: n,
        fileMb: +(file.sizeBytes / 1024 ** 2).toFixed(1),
        uploadS: +file.seconds.toFixed(2),
        toFileS: +toFile.seconds.toFixed(2),
        outputFile: toFile.task.output?.outputFileId !== undefined,
        toFileOutputCount: toFile.task.output?.stats.outputCount,
        groupedS: +grouped.seconds.toFixed(2),
        workerPeakMb: peakRssMb(worker.child.pid!),
      });
      process.stdout.write(`(h) ${JSON.stringify(runs.at(-1))}\n`);
    }
    const peak = peakRssMb(worker.child.pid!);
    const [small, large] = [SIZES.at(-2)!, SIZES.at(-1)!];
    const ratio = seconds.get(large)! / seconds.get(small)!;
    const scale = large / small;
    const limit = (MAX_RATIO * scale) / 10;
    return [
      {
        scenario: `(h) data-processor over files: t(${large}) vs t(${small}) records`,
        value: `${seconds.get(large)!.toFixed(1)} s vs ${seconds.get(small)!.toFixed(1)} s = ${ratio.toFixed(1)}×`,
        target: `≤ ${limit.toFixed(1)}× (${MAX_RATIO}× per 10× records)`,
        met: ratio <= limit,
        detail: { runs, chunkSize: CHUNK },
      },
      {
        scenario: '(h) worker peak RSS over every big-input task',
        value: `${peak} MB`,
        target: `≤ ${MAX_PEAK_MB} MB`,
        met: peak <= MAX_PEAK_MB,
        detail: { runs },
      },
    ];
  } finally {
    await p.close();
    rmSync(filesDir, { recursive: true, force: true });
  }
}
