import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { TempFileSweep } from '../src/files/temp-file-sweep';
import { TaskWorkFileSweep } from '../src/tasks/task-work-file-sweep';
import { createAgent, submitTask } from './factories/tasks';
import { bearer, createUser } from './factories/users';
import { processEnv, startProcess, workerTestBed } from './utils/built-app';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** Sets a file's modification time `ms` back: what a file nothing wrote for that long looks like. */
function age(path: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(path, then, then);
}

const HOURS = 3_600_000;

describe('what processes killed mid-write leave in FILES_DIR', () => {
  const bed = workerTestBed({ QUEUE_LOCK_DURATION_MS: '2000' });
  const { env, workers } = bed;
  let api: TestApp;

  beforeAll(async () => ({ api } = await bed.start()), 300_000);
  afterAll(() => bed.stop());

  const dir = (area: string) => join(env.config.files.dir, area);

  it("removes the work file of a task cancelled while its worker was dead, and keeps an unfinished task's", async () => {
    const op = await createUser(api, 'operator');
    const records = Array.from({ length: 40_000 }, (_, id) => ({ id, keep: id % 10 === 0 }));
    const upload = await request(api.http)
      .post('/api/v1/files')
      .set(...bearer(op))
      .set('Content-Type', 'application/x-ndjson')
      .send(records.map((r) => JSON.stringify(r)).join('\n'))
      .expect(201);
    const agent = await createAgent(api, op, { type: 'data-processor', config: { chunkSize: 100 } });
    const input = {
      file: upload.body.data.id,
      pipeline: [{ filter: { where: { field: 'keep', op: 'eq', value: true } } }],
    };

    const worker = await workers.start();
    const killed = await submitTask(api, op, { agentId: agent.id, input });
    await waitFor(
      async () => {
        const [row] = await api.dataSource.query(
          'SELECT count(*)::int AS saved FROM task_checkpoint_parts WHERE task_id = $1',
          [killed.id],
        );
        return row.saved >= 10 || undefined;
      },
      30_000,
      10,
    );
    await worker.stop('SIGKILL');
    const cancelled = await request(api.http)
      .post(`/api/v1/tasks/${killed.id}/cancel`)
      .set(...bearer(op))
      .expect(200);
    expect(cancelled.body.data.status).toBe('cancelled');
    const leftover = join(dir('work'), `${killed.id}.ndjson`);
    expect(existsSync(leftover)).toBe(true);

    // A task waiting for its worker keeps the work file an earlier attempt wrote, however old.
    const waiting = await submitTask(api, op, { agentId: agent.id, input });
    const kept = join(dir('work'), `${waiting.id}.ndjson`);
    writeFileSync(kept, '{"id":0,"keep":true}\n');
    const sweep = api.app.get(TaskWorkFileSweep);

    // Written a moment ago: left alone whoever owns it.
    expect(await sweep.run()).toBe(0);
    expect(existsSync(leftover)).toBe(true);

    age(leftover, 2 * HOURS);
    age(kept, 48 * HOURS);
    expect(await sweep.run()).toBe(1);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    // A task purged (or never known) leaves nothing to keep its file for.
    const unknown = join(dir('work'), '00000000-0000-4000-8000-000000000000.ndjson');
    writeFileSync(unknown, '');
    age(unknown, 2 * HOURS);
    expect(await sweep.run()).toBe(1);
    expect(readdirSync(dir('work'))).toEqual([`${waiting.id}.ndjson`]);
  }, 120_000);

  it('removes an upload cut off by a SIGKILL of its API process once no upload could still be writing it', async () => {
    const op = await createUser(api, 'operator');
    const other = startProcess(processEnv(env, { PORT: '0', APP_ROLE: 'api', LOG_LEVEL: 'warn' }));
    const [, url] = await other.waitFor(/listening on (http:\/\/\S+)\/api\/v1/, 60_000);
    const before = new Set(readdirSync(dir('tmp')));
    const upload = http.request(`${url}/api/v1/files`, {
      method: 'POST',
      headers: { authorization: bearer(op)[1], 'content-type': 'application/x-ndjson' },
    });
    upload.on('error', () => undefined);
    upload.write(`${'{"n":1}\n'.repeat(50_000)}`);
    const [partial] = await waitFor(
      async () => {
        const found = readdirSync(dir('tmp')).filter((name) => !before.has(name));
        return found.length ? found : undefined;
      },
      30_000,
      20,
    );
    await other.stop('SIGKILL');
    upload.destroy();
    const path = join(dir('tmp'), partial);
    expect(existsSync(path)).toBe(true);

    // An upload under way now (its file written a moment ago) is not touched.
    const current = join(dir('tmp'), 'upload-under-way');
    writeFileSync(current, '{"n":1}\n');
    const sweep = api.app.get(TempFileSweep);
    // Not written for less than the longest upload or attempt could take: it could still be someone's.
    age(path, HOURS - 60_000);
    expect(await sweep.run()).toBe(0);
    age(path, HOURS + 2 * 60_000);
    expect(await sweep.run()).toBe(1);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(current)).toBe(true);
    expect(
      await request(api.http)
        .get('/api/v1/files')
        .set(...bearer(op))
        .expect(200),
    ).toMatchObject({
      body: { data: [] },
    });
  }, 120_000);
});
