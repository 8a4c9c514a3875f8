import request from 'supertest';
import { HostResolver } from '../src/agents/outbound/network-guard';
import { TableResolver } from './fakes/host-resolver';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser } from './factories/users';
import { type Delivery, webhookTestBed } from './factories/webhooks';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

describe('webhooks', () => {
  const bed = webhookTestBed();
  let t: TestApp;
  let url: string;

  beforeAll(async () => ({ t, url } = await bed.start()));
  afterAll(() => bed.stop());

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
    // A character a URL carries percent-encoded is named, with its encoding; encoded, the URL is taken.
    for (const [char, encoded] of [
      ['<', '%3C'],
      [' ', '%20'],
      ['>', '%3E'],
    ]) {
      const refused = await request(t.http)
        .post('/api/v1/webhooks')
        .set(...bearer(op))
        .send({ url: `${url}/hook?a=${char}b`, events: ['task.failed'] })
        .expect(400);
      expect(refused.body.error.details).toEqual([
        { field: '/url', message: `must be a URL with ${JSON.stringify(char)} percent-encoded (${encoded})` },
      ]);
      await request(t.http)
        .post('/api/v1/webhooks')
        .set(...bearer(op))
        .send({ url: `${url}/hook?a=${encoded}b`, events: ['task.failed'] })
        .expect(201);
    }
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
    // A change that is made names, in its audit entry, the fields it was sent.
    await request(t.http)
      .patch(`/api/v1/webhooks/${hook.body.data.id}`)
      .set(...bearer(op))
      .send({ enabled: false })
      .expect(200);
    const entries = (await t.dataSource.query(
      `SELECT details FROM audit_pending WHERE action = 'webhook.update' AND outcome = 'success' AND resource_id = $1
       UNION ALL SELECT details FROM audit_logs WHERE action = 'webhook.update' AND outcome = 'success'
       AND resource_id = $1`,
      [hook.body.data.id],
    )) as { details: { fields: string[] } }[];
    expect(entries.map((e) => e.details.fields)).toEqual([['enabled']]);
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
