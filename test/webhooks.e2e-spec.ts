import { createHmac, timingSafeEqual } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { HostResolver } from '../src/agents/outbound/network-guard';
import { WebhookCatchUp } from '../src/webhooks/webhook-catch-up';
import { WebhookQueue } from '../src/webhooks/webhook-queue';
import { TableResolver } from './fakes/host-resolver';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { json, LoopbackServer, type RecordedRequest } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Delivery {
  id: string;
  messageId: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  attemptLog: { attempt: number; responseCode: number | null; durationMs: number; error: string | null }[];
  error?: string | null;
  nextAttemptAt?: string | null;
}

/** A receiver's check, written from the Standard Webhooks spec: v1 HMAC-SHA256 of `id.timestamp.body`. */
function verify(secret: string, req: RecordedRequest): boolean {
  const id = req.headers['webhook-id'] as string;
  const timestamp = req.headers['webhook-timestamp'] as string;
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${timestamp}.${req.body}`)
    .digest();
  return String(req.headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, value] = sig.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe('webhooks', () => {
  let t: TestApp;
  let receiver: LoopbackServer;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_MAX_ATTEMPTS: '3',
        WEBHOOK_BACKOFF_MS: '100',
        WEBHOOK_DISABLE_AFTER_FAILURES: '2',
        WEBHOOK_RECONCILE_INTERVAL_MS: '1000',
      },
    });
    receiver = new LoopbackServer();
    url = await receiver.start();
  });

  afterAll(async () => {
    await receiver?.stop();
    await t?.close();
  });

  /** An operator of their own, so only their endpoints get their tasks' events. */
  async function operatorWithEndpoint(
    path: string,
    events = ['task.succeeded'],
  ): Promise<{ op: TestUser; hook: { id: string; secret: string } }> {
    const op = await createUser(t, 'operator');
    const res = await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: `${url}${path}`, events })
      .expect(201);
    return { op, hook: res.body.data };
  }

  const at = (path: string) => receiver.requests.filter((r) => r.url === path);

  async function deliveries(op: TestUser, hookId: string): Promise<Delivery[]> {
    const res = await request(t.http)
      .get(`/api/v1/webhooks/${hookId}/deliveries`)
      .set(...bearer(op))
      .expect(200);
    return res.body.data;
  }

  async function runTask(op: TestUser): Promise<string> {
    await createAgentFor(op);
    const task = await submitTask(t, op, { agentId: agents.get(op.id)!, input: { expression: '6*7' } });
    await settled(t, op, task.id);
    return task.id;
  }
  const agents = new Map<string, string>();
  async function createAgentFor(op: TestUser): Promise<void> {
    if (!agents.has(op.id)) agents.set(op.id, (await createAgent(t, op, { type: 'calculator' })).id);
  }

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
  });

  it('delivers what Redis lost after the task finished (the reconciler queues it again)', async () => {
    const { op, hook } = await operatorWithEndpoint('/after-wipe');
    const queue = t.app.get(WebhookQueue).queue;
    await queue.pause();
    try {
      await runTask(op);
      await waitFor(async () => ((await deliveries(op, hook.id)).length ? true : undefined));
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`${t.env.config.redis.prefix}:bull:webhooks:*`);
        expect(keys.length).toBeGreaterThan(0);
        await redis.unlink(...keys);
      } finally {
        redis.disconnect();
      }
    } finally {
      await queue.resume();
    }
    const [req] = await waitFor(async () => (at('/after-wipe').length ? at('/after-wipe') : undefined), 20_000);
    expect(verify(hook.secret, req)).toBe(true);
    await waitFor(async () => ((await deliveries(op, hook.id))[0]?.status === 'succeeded' ? true : undefined));
  });

  it('makes the deliveries a killed process did not make, once, however often the catch-up passes run', async () => {
    const { op, hook } = await operatorWithEndpoint('/catch-up', ['task.succeeded', 'task.failed']);
    const queue = t.app.get(WebhookQueue).queue;
    await queue.pause();
    let lost: string;
    let kept: string;
    try {
      lost = await runTask(op);
      kept = await runTask(op);
      await waitFor(async () => ((await deliveries(op, hook.id)).length === 2 ? true : undefined));
      // The first finish's process died before its delivery was stored: neither its row nor its job exist.
      const [row] = (await t.dataSource.query(`DELETE FROM webhook_deliveries WHERE resource_id = $1 RETURNING id`, [
        lost,
      ])) as { id: string }[];
      await (await queue.getJob(row.id))?.remove();
    } finally {
      await queue.resume();
    }
    const received = (path: string, id: string) =>
      at(path).filter((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id === id);
    await waitFor(async () => (received('/catch-up', lost).length ? true : undefined), 20_000);
    // Every pass goes over both finishes again (from 10 minutes back when Redis lost where it stopped):
    // neither is delivered twice.
    const catchUp = t.app.get(WebhookCatchUp);
    const redis = new Redis(REDIS_URL);
    try {
      await redis.unlink(`${t.env.config.redis.prefix}:webhooks:catch-up:tasks`);
    } finally {
      redis.disconnect();
    }
    expect((await catchUp.run()).tasks).toBeGreaterThanOrEqual(2);
    await catchUp.run();
    await waitFor(async () =>
      (await deliveries(op, hook.id)).every((d) => d.status === 'succeeded') ? true : undefined,
    );
    expect(received('/catch-up', lost)).toHaveLength(1);
    expect(received('/catch-up', kept)).toHaveLength(1);
    const rows = (await t.dataSource.query(
      `SELECT resource_id AS "resourceId", occurred_at AS "occurredAt" FROM webhook_deliveries d
         JOIN tasks t ON t.id = d.resource_id WHERE d.endpoint_id = $1 AND d.occurred_at = t.finished_at`,
      [hook.id],
    )) as { resourceId: string }[];
    expect(rows.map((r) => r.resourceId).sort()).toEqual([lost, kept].sort());
  });

  it('refuses bad input with every problem named, and viewers cannot create', async () => {
    const op = await createUser(t, 'operator');
    const res = await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: 'not a url', events: ['task.exploded'] })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['/url']));
    expect(fields.some((f: string) => f.startsWith('/events'))).toBe(true);
    await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: 'ftp://example.com/x', events: [] })
      .expect(400);
    const viewer = await createUser(t, 'viewer');
    await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(viewer))
      .send({ url: `${url}/v`, events: ['task.failed'] })
      .expect(403);
    await request(t.http)
      .get('/api/v1/webhooks')
      .set(...bearer(viewer))
      .expect(200);
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

describe('webhooks refuse private targets when AGENT_ALLOW_PRIVATE_NETWORKS is off', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'false' },
      overrides: [{ provide: HostResolver, useValue: new TableResolver({ 'intranet.test': ['10.9.8.7'] }) }],
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses loopback, private and link-local URLs, and names that resolve to them', async () => {
    const op = await createUser(t, 'operator');
    const targets = [
      'http://127.0.0.1:9/x',
      'http://10.0.0.1/x',
      'http://169.254.169.254/latest',
      'https://intranet.test/x',
      'http://[::127.0.0.1]:9/x',
    ];
    for (const target of targets) {
      const res = await request(t.http)
        .post('/api/v1/webhooks')
        .set(...bearer(op))
        .send({ url: target, events: ['task.succeeded'] })
        .expect(400);
      expect(res.body.error.details).toEqual([{ field: '/url', message: expect.stringMatching(/private, loopback/) }]);
    }
  });

  it('refuses a URL no send could parse (a link-local zone id), on create and on change', async () => {
    const op = await createUser(t, 'operator');
    const zoned = 'http://[fe80::fc:ff:fe00:1%25eth0]:18999/wh';
    const created = await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: zoned, events: ['task.succeeded'] })
      .expect(400);
    expect(created.body.error.details).toEqual([{ field: '/url', message: 'is not a URL that can be called' }]);
    const hook = await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: 'https://hooks.public.test/x', events: ['task.succeeded'] })
      .expect(201);
    await request(t.http)
      .patch(`/api/v1/webhooks/${hook.body.data.id}`)
      .set(...bearer(op))
      .send({ url: zoned })
      .expect(400);
  });

  it('takes a name DNS cannot answer for yet, as an agent does: each send checks it again', async () => {
    const op = await createUser(t, 'operator');
    const res = await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: 'https://hooks.not-yet-in-dns.test/x', events: ['task.succeeded'] })
      .expect(201);
    expect(res.body.data.url).toBe('https://hooks.not-yet-in-dns.test/x');

    // Its deliveries fail as a network error does: to be tried again.
    const agent = await createAgent(t, op, { type: 'calculator' });
    await settled(t, op, (await submitTask(t, op, { agentId: agent.id, input: { expression: '1+1' } })).id);
    const delivery = await waitFor(async () => {
      const list = await request(t.http)
        .get(`/api/v1/webhooks/${res.body.data.id}/deliveries`)
        .set(...bearer(op))
        .expect(200);
      const [d] = list.body.data as Delivery[];
      return d?.attempts ? d : undefined;
    });
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, error: expect.stringMatching(/^HOST_NOT_FOUND/) });
    expect(delivery.nextAttemptAt).toEqual(expect.any(String));
  });
});
