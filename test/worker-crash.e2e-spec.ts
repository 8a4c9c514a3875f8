import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser } from './factories/users';
import { logLines, workerTestBed } from './utils/built-app';
import { json } from './utils/loopback-server';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('a worker killed mid-task', () => {
  const bed = workerTestBed(
    {
      QUEUE_LOCK_DURATION_MS: '2000',
      AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
      // The data-processor case sends 2.4 MB of records, so that a kill lands midway through its chunks.
      TASK_BODY_LIMIT: '4mb',
    },
    { WORKER_CONCURRENCY: '2' },
  );
  const { remote, workers } = bed;
  let api: TestApp;
  let remoteUrl: string;

  beforeAll(async () => ({ api, remoteUrl } = await bed.start()), 120_000);
  afterAll(() => bed.stop());

  it('is detected as stalled and its task finishes on another worker, recorded once', async () => {
    remote.handler = (_req, res) => setTimeout(() => json(res, 200, { answer: 42 }), 1500);
    const op = await createUser(api, 'operator');
    const agent = await createAgent(api, op, { type: 'http', config: { url: `${remoteUrl}/work` } });

    const first = await workers.start();
    const task = await submitTask(api, op, { agentId: agent.id, input: { n: 1 } });
    await waitFor(async () => remote.requests.length === 1, 20_000);
    expect(await first.stop('SIGKILL')).toBeNull();

    const second = await workers.start();
    const done = await settled(api, op, task.id, 30_000);
    expect(done).toEqual(expect.objectContaining({ status: 'succeeded', output: { answer: 42 }, attempts: 1 }));
    expect(remote.requests.length).toBe(2);
    const attempts = (
      await request(api.http)
        .get(`/api/v1/tasks/${task.id}/attempts`)
        .set(...bearer(op))
    ).body.data;
    expect(attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'succeeded',
        workerId: expect.stringContaining(`:${second.child.pid}`),
      }),
    ]);
    // The worker that took over says so, once, with the ids and nothing of the task's input.
    const takeovers = logLines(second.output()).filter((line) => /taken over/.test(String(line.msg)));
    expect(takeovers).toEqual([
      expect.objectContaining({
        level: 40,
        msg: `task ${task.id} attempt 1 was taken over from a worker that stopped responding or handed it back`,
        taskId: task.id,
        agentId: agent.id,
        attempt: 1,
        previousWorkerId: expect.stringContaining(`:${first.child.pid}`),
      }),
    ]);
    expect(takeovers[0]).not.toHaveProperty('input');
    expect(takeovers[0]).not.toHaveProperty('config');
    expect(logLines(first.output()).filter((line) => /taken over/.test(String(line.msg)))).toEqual([]);
    // A worker-only process serves its own metrics and probes.
    const [, metricsUrl] = await second.waitFor(/worker metrics on (http:\/\/[\d.:]+\/metrics)/);
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/tasks_total\{agent_type="http",status="succeeded"\} 1/);
    expect((await fetch(metricsUrl.replace('/metrics', '/health/ready'))).status).toBe(200);
    expect(await second.stop('SIGTERM')).toBe(0);
  }, 90_000);

  it('a data-processor attempt killed midway is resumed from its last checkpoint, not from the start', async () => {
    const op = await createUser(api, 'operator');
    const agent = await createAgent(api, op, { type: 'data-processor', config: { chunkSize: 100 } });
    const records = Array.from({ length: 60_000 }, (_, id) => ({ id, keep: id % 100 === 0, pad: 'x'.repeat(16) }));
    const pipeline = [{ filter: { where: { field: 'keep', op: 'eq', value: true } } }, { select: { fields: ['id'] } }];

    const first = await workers.start();
    const task = await submitTask(api, op, { agentId: agent.id, input: { records, pipeline } });
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

    const second = await workers.start();
    const done = await settled(api, op, task.id, 60_000);
    expect(done.status).toBe('succeeded');
    const output = done.output as { records: { id: number }[]; stats: { resumedFromChunk: number; chunks: number } };
    expect(output.stats.chunks).toBe(600);
    expect(output.stats.resumedFromChunk).toBeGreaterThanOrEqual(reached);
    expect(output.records).toEqual(records.filter((r) => r.keep).map((r) => ({ id: r.id })));
    await second.stop('SIGTERM');
  }, 120_000);

  it('a workflow run whose worker is killed mid-run finishes after a new worker starts', async () => {
    remote.handler = (_req, res) => setTimeout(() => json(res, 200, { value: 20 }), 1500);
    const op = await createUser(api, 'operator');
    const slow = await createAgent(api, op, { type: 'http', config: { url: `${remoteUrl}/step` } });
    const calc = await createAgent(api, op, { type: 'calculator' });
    const wf = await request(api.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'survives',
        steps: [
          { id: 'fetch', agentId: slow.id, input: {} },
          {
            id: 'double',
            agentId: calc.id,
            input: { expression: 'v * 2', variables: { v: '{{ steps.fetch.output.value }}' } },
            dependsOn: ['fetch'],
          },
        ],
      })
      .expect(201);
    const first = await workers.start();
    const requestsBefore = remote.requests.length;
    const run = await request(api.http)
      .post(`/api/v1/workflows/${wf.body.data.id}/runs`)
      .set(...bearer(op))
      .send({})
      .expect(202);
    await waitFor(async () => remote.requests.length > requestsBefore, 20_000);
    await first.stop('SIGKILL');

    const second = await workers.start();
    const done = await waitFor(async () => {
      const res = await request(api.http)
        .get(`/api/v1/workflow-runs/${run.body.data.id}`)
        .set(...bearer(op));
      return res.body.data.status !== 'running' ? res.body.data : undefined;
    }, 45_000);
    expect(done.status).toBe('succeeded');
    expect(done.output).toEqual({ double: { result: 40 } });
    await second.stop('SIGTERM');
  }, 120_000);
});
