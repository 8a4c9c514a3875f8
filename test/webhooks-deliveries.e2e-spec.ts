import request from 'supertest';
import { bearer } from './factories/users';
import { verify, webhookTestBed } from './factories/webhooks';
import { json } from './utils/loopback-server';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('webhooks', () => {
  const bed = webhookTestBed();
  const { receiver, agents, operatorWithEndpoint, at, deliveries, runTask, createAgentFor } = bed;
  let t: TestApp;

  beforeAll(async () => ({ t } = await bed.start()));
  afterAll(() => bed.stop());

  it('delivers one signed request whose body is the task as the API returns it', async () => {
    const { op, hook } = await operatorWithEndpoint('/signed');
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const taskId = await runTask(op);
    const [req] = await waitFor(async () => (at('/signed').length ? at('/signed') : undefined));
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['webhook-id']).toMatch(/^msg_/);
    expect(Math.abs(Number(req.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(verify(hook.secret, req)).toBe(true);
    const body = JSON.parse(req.body);
    const task = await request(t.http)
      .get(`/api/v1/tasks/${taskId}`)
      .set(...bearer(op))
      .expect(200);
    expect(body).toEqual({ type: 'task.succeeded', timestamp: expect.any(String), data: task.body.data });
    const log = await waitFor(async () => {
      const [d] = await deliveries(op, hook.id);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(log).toMatchObject({ attempts: 1, responseCode: 200, messageId: req.headers['webhook-id'] });
    const shown = await request(t.http)
      .get(`/api/v1/webhooks/${hook.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(shown.body.data.secret).toBeUndefined();
    expect(JSON.stringify(shown.body)).not.toContain(hook.secret.slice(6));

    // Redelivered: a new delivery of the same message, signed again.
    const again = await request(t.http)
      .post(`/api/v1/webhooks/${hook.id}/deliveries/${log.id}/redeliver`)
      .set(...bearer(op))
      .expect(202);
    expect(again.body.data).toMatchObject({ status: 'pending', messageId: log.messageId });
    await waitFor(async () => (at('/signed').length === 2 ? true : undefined));
    const second = at('/signed')[1];
    expect(second.headers['webhook-id']).toBe(req.headers['webhook-id']);
    expect(second.body).toBe(req.body);
    expect(verify(hook.secret, second)).toBe(true);
    const both = await waitFor(async () => {
      const list = await deliveries(op, hook.id);
      return list.every((d) => d.status === 'succeeded') && list.length === 2 ? list : undefined;
    });
    expect(both[0].id).toBe(again.body.data.id);
    await t.chainAudit();
    const actions = (await t.dataSource.query(
      `SELECT action, actor_id AS actor FROM audit_logs WHERE resource_id = $1 ORDER BY timestamp`,
      [hook.id],
    )) as { action: string; actor: string }[];
    expect(actions).toEqual([
      { action: 'webhook.create', actor: op.id },
      { action: 'webhook.redeliver', actor: op.id },
    ]);
  });

  it('retries a 500 with backoff and logs both attempts', async () => {
    let calls = 0;
    const { op, hook } = await operatorWithEndpoint('/flaky');
    const previous = receiver.handler;
    receiver.handler = (req, res) => {
      if (req.url === '/flaky') return json(res, calls++ === 0 ? 500 : 200, {});
      previous(req, res);
    };
    await runTask(op);
    const log = await waitFor(async () => {
      const [d] = await deliveries(op, hook.id);
      return d?.status === 'succeeded' ? d : undefined;
    });
    expect(log.attempts).toBe(2);
    expect(log.attemptLog.map((a) => [a.attempt, a.responseCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect(log.attemptLog[0].error).toMatch(/500/);
    const [first, second] = at('/flaky');
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(verify(hook.secret, second)).toBe(true);
  });

  it('fails a 400 at once, and disables the endpoint after deliveries failed in a row, with an audit entry', async () => {
    const { op, hook } = await operatorWithEndpoint('/refusing');
    const previous = receiver.handler;
    receiver.handler = (req, res) => (req.url === '/refusing' ? json(res, 400, {}) : previous(req, res));
    await runTask(op);
    const [failed] = await waitFor(async () => {
      const list = await deliveries(op, hook.id);
      return list[0]?.status === 'failed' ? list : undefined;
    });
    expect(failed).toMatchObject({ attempts: 1, responseCode: 400 });
    await new Promise((r) => setTimeout(r, 500));
    expect(at('/refusing')).toHaveLength(1);
    let endpoint = (
      await request(t.http)
        .get(`/api/v1/webhooks/${hook.id}`)
        .set(...bearer(op))
    ).body.data;
    expect(endpoint).toMatchObject({ enabled: true, consecutiveFailures: 1 });

    await runTask(op);
    endpoint = await waitFor(async () => {
      const res = await request(t.http)
        .get(`/api/v1/webhooks/${hook.id}`)
        .set(...bearer(op));
      return res.body.data.enabled === false ? res.body.data : undefined;
    });
    expect(endpoint).toMatchObject({ consecutiveFailures: 2, disabledReason: expect.stringMatching(/2 deliveries/) });
    await t.chainAudit();
    const [entry] = (await t.dataSource.query(
      `SELECT actor_type AS "actorType", outcome, details FROM audit_logs WHERE resource_id = $1 AND action = 'webhook.disabled'`,
      [hook.id],
    )) as { actorType: string; outcome: string; details: Record<string, unknown> }[];
    expect(entry).toMatchObject({ actorType: 'system', outcome: 'failure', details: { consecutiveFailures: 2 } });

    // A disabled endpoint gets nothing more.
    await runTask(op);
    await new Promise((r) => setTimeout(r, 500));
    expect(at('/refusing')).toHaveLength(2);
    // Redelivering there is refused for the endpoint's state; a delivery it never had is not found, first.
    const redeliver = (deliveryId: string) =>
      request(t.http)
        .post(`/api/v1/webhooks/${hook.id}/deliveries/${deliveryId}/redeliver`)
        .set(...bearer(op));
    expect((await redeliver(failed.id)).body.error).toMatchObject({ code: 'INVALID_STATE' });
    const unknown = await redeliver('00000000-0000-4000-8000-000000000000');
    expect({ status: unknown.status, code: unknown.body.error.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await deliveries(op, hook.id)).toHaveLength(2);
  });

  it('fails a redirect at once with its status, without following it', async () => {
    const { op, hook } = await operatorWithEndpoint('/moved');
    const previous = receiver.handler;
    receiver.handler = (req, res) => {
      if (req.url !== '/moved') return previous(req, res);
      res.writeHead(302, { Location: '/elsewhere' }).end();
    };
    await runTask(op);
    const [failed] = await waitFor(async () => {
      const list = await deliveries(op, hook.id);
      return list[0]?.status === 'failed' ? list : undefined;
    });
    expect(failed).toMatchObject({ attempts: 1, responseCode: 302 });
    expect(at('/elsewhere')).toHaveLength(0);
    receiver.handler = previous;
  });

  it('takes the status of an answer whose body never ends, and closes it unread', async () => {
    const { op, hook } = await operatorWithEndpoint('/endless');
    const previous = receiver.handler;
    let closed = false;
    receiver.handler = (req, res) => {
      if (req.url !== '/endless') return previous(req, res);
      res.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => res.write('x'.repeat(1024)), 20);
      res.on('close', () => {
        clearInterval(drip);
        closed = true;
      });
    };
    await runTask(op);
    const [done] = await waitFor(async () => {
      const list = await deliveries(op, hook.id);
      return list[0]?.status === 'succeeded' ? list : undefined;
    });
    expect(done).toMatchObject({ attempts: 1, responseCode: 200 });
    await waitFor(async () => closed);
    receiver.handler = previous;
  });

  it('sends run.succeeded with the run as the API returns it', async () => {
    const { op, hook } = await operatorWithEndpoint('/runs', ['run.succeeded']);
    await createAgentFor(op);
    const wf = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: `wf-${Date.now()}`,
        steps: [{ id: 'a', agentId: agents.get(op.id), input: { expression: '1+1' } }],
      })
      .expect(201);
    const run = await request(t.http)
      .post(`/api/v1/workflows/${wf.body.data.id}/runs`)
      .set(...bearer(op))
      .send({ input: {} })
      .expect(202);
    const [req] = await waitFor(async () => (at('/runs').length ? at('/runs') : undefined));
    expect(verify(hook.secret, req)).toBe(true);
    const shown = await request(t.http)
      .get(`/api/v1/workflow-runs/${run.body.data.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(JSON.parse(req.body)).toEqual({
      type: 'run.succeeded',
      timestamp: expect.any(String),
      data: shown.body.data,
    });
  });
});
