import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser } from './factories/users';
import { workerTestBed } from './utils/built-app';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('a data-processor over a file, its worker killed midway', () => {
  const bed = workerTestBed({ QUEUE_LOCK_DURATION_MS: '2000' }, { WORKER_CONCURRENCY: '2' });
  const { env, workers } = bed;
  let api: TestApp;

  // Compiling the app takes minutes on a busy machine.
  beforeAll(async () => ({ api } = await bed.start()), 300_000);
  afterAll(() => bed.stop());

  it('resumes on another worker process from the chunk the file had reached, with the same output', async () => {
    const op = await createUser(api, 'operator');
    const records = Array.from({ length: 60_000 }, (_, id) => ({ id, keep: id % 100 === 0, pad: 'x'.repeat(16) }));
    const upload = await request(api.http)
      .post('/api/v1/files')
      .set(...bearer(op))
      .set('Content-Type', 'application/x-ndjson')
      .send(records.map((r) => JSON.stringify(r)).join('\n'))
      .expect(201);
    const agent = await createAgent(api, op, { type: 'data-processor', config: { chunkSize: 100 } });
    const pipeline = [{ filter: { where: { field: 'keep', op: 'eq', value: true } } }, { select: { fields: ['id'] } }];

    const first = await workers.start();
    const task = await submitTask(api, op, { agentId: agent.id, input: { file: upload.body.data.id, pipeline } });
    const reached = await waitFor(
      async () => {
        const [row] = await api.dataSource.query(
          `SELECT count(*)::int AS saved FROM task_checkpoint_parts WHERE task_id = $1`,
          [task.id],
        );
        return row.saved >= 20 ? (row.saved as number) : undefined;
      },
      30_000,
      10,
    );
    await first.stop('SIGKILL');
    expect(reached).toBeLessThan(600);
    const workFile = join(env.config.files.dir, 'work', `${task.id}.ndjson`);
    expect(existsSync(workFile)).toBe(true);

    const second = await workers.start();
    const done = await settled(api, op, task.id, 60_000);
    expect(done.status).toBe('succeeded');
    const output = done.output as { records: { id: number }[]; stats: { resumedFromChunk: number; chunks: number } };
    expect(output.stats.chunks).toBe(600);
    expect(output.stats.resumedFromChunk).toBeGreaterThanOrEqual(reached);
    expect(output.records).toEqual(records.filter((r) => r.keep).map((r) => ({ id: r.id })));
    // The work file is gone, and nothing was left half-uploaded.
    expect(existsSync(workFile)).toBe(false);
    expect(readdirSync(join(env.config.files.dir, 'tmp'))).toEqual([]);
    await second.stop('SIGTERM');
  }, 120_000);
});
