import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { MAINTENANCE_QUEUE, QUEUE_NAMES } from '../src/jobs/queues';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login } from './factories/users';
import { sparePort } from './utils/spare-port';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'];

/** The value of `queue_jobs{queue,state}` in a scrape, or undefined when the series is absent. */
function gauge(text: string, queue: string, state: string): number | undefined {
  const line = new RegExp(`^queue_jobs\\{queue="${queue}",state="${state}"\\} (\\d+)$`, 'm').exec(text);
  return line ? Number(line[1]) : undefined;
}

describe('the depth of every queue, not only the tasks', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A delivery that fails waits an hour for its retry: it stays in the webhooks queue's delayed set.
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_BACKOFF_MS: '3600000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows a webhook delivery awaiting its retry and a failed periodic job on /metrics and in system info', async () => {
    const op = await createUser(t, 'operator');
    const nobodyListens = await sparePort();
    await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: `http://127.0.0.1:${nobodyListens}/hook`, events: ['task.succeeded'] })
      .expect(201);
    const agent = await createAgent(t, op, { type: 'calculator' });
    await settled(t, op, (await submitTask(t, op, { agentId: agent.id, input: { expression: '6*7' } })).id);
    // A job no periodic job is named after any more (as an older version may leave behind) fails when run.
    const maintenance = t.app.get<Queue>(getQueueToken(MAINTENANCE_QUEUE), { strict: false });
    await maintenance.add('retired.job', {});

    const text = await waitFor(async () => {
      const scraped = (await request(t.http).get('/metrics').expect(200)).text;
      const shown = gauge(scraped, 'webhooks', 'delayed') === 1 && (gauge(scraped, 'maintenance', 'failed') ?? 0) >= 1;
      return shown && scraped;
    }, 20_000);
    const missing = QUEUE_NAMES.flatMap((queue) =>
      STATES.filter((state) => gauge(text, queue, state) === undefined).map((state) => `${queue} ${state}`),
    );
    expect(missing).toEqual([]);
    expect(gauge(text, 'webhooks', 'active')).toBe(0);
    expect(gauge(text, 'tasks', 'waiting')).toBe(0);

    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    const info = (
      await request(t.http)
        .get('/api/v1/system/info')
        .set(...bearer(admin))
        .expect(200)
    ).body.data;
    expect(Object.keys(info.queues).sort()).toEqual([...QUEUE_NAMES].sort());
    for (const queue of QUEUE_NAMES) expect(Object.keys(info.queues[queue]).sort()).toEqual([...STATES].sort());
    expect(info.queues.webhooks).toMatchObject({ waiting: 0, active: 0, delayed: 1, failed: 0 });
    expect(info.queues.maintenance.failed).toBeGreaterThanOrEqual(1);
    expect(info.queues.tasks).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect(info).toMatchObject({ role: 'all', workers: 1, wsConnections: 0 });
  });
});
