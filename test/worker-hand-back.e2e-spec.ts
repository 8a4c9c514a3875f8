import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser } from './factories/users';
import { logLines, workerTestBed } from './utils/built-app';
import { json } from './utils/loopback-server';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('a worker stopped (SIGTERM) while a task outlasts its shutdown', () => {
  const bed = workerTestBed(
    {
      // A lock that cannot lapse within the test: the task moves on because it was handed back, not taken over later.
      QUEUE_LOCK_DURATION_MS: '300000',
      AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
    },
    // Hands back 1 s before its 4 s deadline; one task at a time, so a second one waits behind the first.
    { SHUTDOWN_TIMEOUT_MS: '4000', WORKER_CONCURRENCY: '1' },
  );
  const { remote, workers } = bed;
  let api: TestApp;
  let remoteUrl: string;

  beforeAll(async () => ({ api, remoteUrl } = await bed.start()), 120_000);
  afterAll(() => bed.stop());

  it('hands the attempt back and exits 0; the next worker continues it at once, recorded once', async () => {
    const aborted: string[] = [];
    // The first call is held until its caller gives up; the next one answers.
    remote.handler = (req, res) => {
      if (remote.requests.length === 1) res.on('close', () => aborted.push(req.url));
      else json(res, 200, { answer: 42 });
    };
    const op = await createUser(api, 'operator');
    const agent = await createAgent(api, op, { type: 'http', config: { url: `${remoteUrl}/work` } });

    const first = await workers.start();
    const task = await submitTask(api, op, { agentId: agent.id, input: { n: 1 } });
    await waitFor(async () => remote.requests.length === 1, 20_000);
    const behind = await submitTask(api, op, { agentId: agent.id, input: { n: 2 } });

    // Not the deadline's exit (1): the attempt was stopped and its job put back before it, and the stopping
    // worker took nothing more (neither the job it handed back nor the one waiting).
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(aborted).toEqual(['/work']);
    expect(remote.requests).toHaveLength(1);
    const second = await workers.start();
    const done = await settled(api, op, task.id, 30_000);
    expect(done).toEqual(expect.objectContaining({ status: 'succeeded', output: { answer: 42 }, attempts: 1 }));
    expect(await settled(api, op, behind.id, 30_000)).toEqual(
      expect.objectContaining({ status: 'succeeded', attempts: 1 }),
    );
    expect(remote.requests).toHaveLength(3);

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
        takenOverFrom: [{ workerId: expect.stringContaining(`:${first.child.pid}`), startedAt: expect.any(String) }],
      }),
    ]);
    const untouched = (
      await request(api.http)
        .get(`/api/v1/tasks/${behind.id}/attempts`)
        .set(...bearer(op))
    ).body.data;
    expect(untouched).toEqual([
      expect.objectContaining({ workerId: expect.stringContaining(`:${second.child.pid}`), takenOverFrom: [] }),
    ]);
    expect(logLines(first.output()).filter((line) => /handed back/.test(String(line.msg)))).toEqual([
      expect.objectContaining({
        level: 40,
        msg: `task ${task.id} attempt 1 handed back: this worker is stopping`,
        taskId: task.id,
        attempt: 1,
      }),
    ]);
    expect(await second.stop('SIGTERM')).toBe(0);
  }, 90_000);
});
