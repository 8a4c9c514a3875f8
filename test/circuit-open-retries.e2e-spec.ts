import request from 'supertest';
import { createAgent, settled, submitTask, taskTestBed } from './factories/tasks';
import { bearer, type TestUser } from './factories/users';
import { json } from './utils/loopback-server';
import type { TestApp } from './utils/test-app';

/**
 * A task refused by its agent's open circuit breaker retries once the breaker lets a trial call through, not
 * within its own backoff: sent during an outage, it runs when the remote is back instead of spending its attempts
 * on refusals and failing without the remote ever being called.
 */
describe('retries of a task whose agent’s circuit is open', () => {
  let t: TestApp;
  let op: TestUser;
  let remoteUrl: string;
  const remote = taskTestBed((bed) => ({ t, op, remoteUrl } = bed), {
    AGENT_BREAKER_THRESHOLD: '2',
    AGENT_BREAKER_RESET_MS: '2000',
    WORKER_CONCURRENCY: '1',
  });

  it('waits for the breaker’s reset, then reaches the remote once and succeeds', async () => {
    let down = true;
    const calls: string[] = [];
    remote.handler = (req, res) => {
      calls.push(JSON.parse(req.body).taskId as string);
      return down ? json(res, 500, { down: true }) : json(res, 200, { back: true });
    };
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/agent` } });
    for (let i = 0; i < 2; i += 1) {
      const failed = await submitTask(t, op, { agentId: agent.id, input: {}, maxAttempts: 1 });
      expect(await settled(t, op, failed.id)).toMatchObject({ status: 'failed', error: { code: 'REMOTE_500' } });
    }
    // The remote is back, but the breaker is open for its reset.
    down = false;
    const task = await submitTask(t, op, { agentId: agent.id, input: {}, maxAttempts: 3, backoffMs: 100 });
    const done = await settled(t, op, task.id, 30_000);
    expect(done).toMatchObject({ status: 'succeeded', output: { back: true } });
    const attempts = (
      await request(t.http)
        .get(`/api/v1/tasks/${task.id}/attempts`)
        .set(...bearer(op))
    ).body.data as { status: string; error: { code: string } | null }[];
    expect(attempts.map((a) => [a.status, a.error?.code ?? null])).toEqual([
      ['failed', 'CIRCUIT_OPEN'],
      ['succeeded', null],
    ]);
    expect(calls.filter((id) => id === task.id)).toHaveLength(1);
  }, 60_000);
});
