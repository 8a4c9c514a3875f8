import request from 'supertest';
import { createAgent, settled, submitTask, taskTestBed } from './factories/tasks';
import { bearer, type TestUser } from './factories/users';
import { json } from './utils/loopback-server';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** A task's failures, retries and cancellation, and the attempts they leave. */
describe('tasks on a live worker', () => {
  let t: TestApp;
  let op: TestUser;
  let remoteUrl: string;
  const remote = taskTestBed((bed) => ({ t, op, remoteUrl } = bed));

  it('fails at once, without retries, on a non-retryable error', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, {
      agentId: agent.id,
      input: { expression: '1 / 0' },
      maxAttempts: 5,
      backoffMs: 10,
    });
    const done = await settled(t, op, task.id);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        error: { code: 'DIVISION_BY_ZERO', message: 'Division by zero' },
      }),
    );
  });

  it('retries with growing delays, stops at maxAttempts and keeps the last error', async () => {
    remote.handler = (req, res) => (req.url === '/always-500' ? json(res, 500, { oops: true }) : json(res, 404, {}));
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/always-500` } });
    const task = await submitTask(t, op, { agentId: agent.id, input: {}, maxAttempts: 3, backoffMs: 200 });
    const done = await settled(t, op, task.id);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'failed',
        attempts: 3,
        error: { code: 'REMOTE_500', message: 'The remote agent answered 500' },
      }),
    );
    const attempts = (
      await request(t.http)
        .get(`/api/v1/tasks/${task.id}/attempts`)
        .set(...bearer(op))
    ).body.data;
    expect(attempts.map((a: { status: string }) => a.status)).toEqual(['failed', 'failed', 'failed']);
    const gaps = [1, 2].map((i) => Date.parse(attempts[i].startedAt) - Date.parse(attempts[i - 1].finishedAt));
    // Jittered exponential backoff: at least half of 200 ms, then half of 400 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
  });

  it('cancels a running task, aborting its executor', async () => {
    let aborted = false;
    // The remote never answers (the agent's timeout is a minute): only the cancellation can end the attempt.
    remote.handler = (_req, res) => {
      res.on('close', () => (aborted = !res.writableEnded));
    };
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/slow` } });
    const task = await submitTask(t, op, { agentId: agent.id, input: {} });
    await waitFor(
      async () =>
        (
          await request(t.http)
            .get(`/api/v1/tasks/${task.id}`)
            .set(...bearer(op))
        ).body.data.status === 'running',
    );
    const res = await request(t.http)
      .post(`/api/v1/tasks/${task.id}/cancel`)
      .set(...bearer(op))
      .expect(200);
    expect(res.body.data.status).toBe('cancelled');
    await waitFor(async () => {
      const attempts = (
        await request(t.http)
          .get(`/api/v1/tasks/${task.id}/attempts`)
          .set(...bearer(op))
      ).body.data;
      return attempts[0]?.status === 'cancelled';
    });
    await waitFor(async () => aborted);
    const after = await request(t.http)
      .get(`/api/v1/tasks/${task.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(after.body.data.status).toBe('cancelled');
    await request(t.http)
      .post(`/api/v1/tasks/${task.id}/cancel`)
      .set(...bearer(op))
      .expect(409);
  });

  it('retries a failed task on request', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: 'x + 1' }, maxAttempts: 1 });
    const first = await settled(t, op, task.id);
    expect(first).toMatchObject({ status: 'failed', attemptOffset: 0 });
    const retried = await request(t.http)
      .post(`/api/v1/tasks/${task.id}/retry`)
      .set(...bearer(op))
      .expect(202);
    // A new run: counted from the attempts made so far, not started, not ended.
    expect(retried.body.data).toMatchObject({ status: 'queued', attempts: 1, attemptOffset: 1, startedAt: null });
    expect(retried.body.data.finishedAt).toBeNull();
    const again = await settled(t, op, task.id);
    expect(again).toEqual(expect.objectContaining({ status: 'failed', attempts: 2, attemptOffset: 1 }));
    // Its start and end are the new run's, so its duration is not the time between the runs.
    expect(Date.parse(again.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt as string));
    const attempts = (
      await request(t.http)
        .get(`/api/v1/tasks/${task.id}/attempts`)
        .set(...bearer(op))
    ).body.data;
    expect(attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2]);
    const succeeded = await submitTask(t, op, { agentId: agent.id, input: { expression: '1' } });
    await settled(t, op, succeeded.id);
    await request(t.http)
      .post(`/api/v1/tasks/${succeeded.id}/retry`)
      .set(...bearer(op))
      .expect(409);
  });

  it('refuses to retry a task of a deleted agent with 409, as a new task for it, and leaves the task as it was', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: 'x' }, maxAttempts: 1 });
    expect((await settled(t, op, task.id)).status).toBe('failed');
    await request(t.http)
      .delete(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(204);
    const res = await request(t.http)
      .post(`/api/v1/tasks/${task.id}/retry`)
      .set(...bearer(op));
    expect([res.status, res.body.error.code]).toEqual([409, 'CONFLICT']);
    const [row] = await t.dataSource.query(`SELECT status, attempts FROM tasks WHERE id = $1`, [task.id]);
    expect(row).toEqual({ status: 'failed', attempts: 1 });
    // A task that could never be retried says so, deleted agent or not.
    const other = await createAgent(t, op, { type: 'calculator' });
    const done = await submitTask(t, op, { agentId: other.id, input: { expression: '1' } });
    expect((await settled(t, op, done.id)).status).toBe('succeeded');
    await request(t.http)
      .delete(`/api/v1/agents/${other.id}`)
      .set(...bearer(op))
      .expect(204);
    const refused = await request(t.http)
      .post(`/api/v1/tasks/${done.id}/retry`)
      .set(...bearer(op));
    expect([refused.status, refused.body.error.code]).toEqual([409, 'INVALID_STATE']);
  });
});
