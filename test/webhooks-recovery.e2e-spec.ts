import Redis from 'ioredis';
import request from 'supertest';
import { WebhookCatchUp } from '../src/webhooks/webhook-catch-up';
import { WebhookQueue } from '../src/webhooks/webhook-queue';
import { bearer } from './factories/users';
import { verify, webhookTestBed } from './factories/webhooks';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('webhooks', () => {
  const bed = webhookTestBed();
  const { operatorWithEndpoint, at, deliveries, runTask } = bed;
  let t: TestApp;
  let url: string;

  beforeAll(async () => ({ t, url } = await bed.start()));
  afterAll(() => bed.stop());

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
  it('gives an endpoint no finish from before it was made, however far back a catch-up pass reads', async () => {
    const { op, hook: first } = await operatorWithEndpoint('/before', ['task.succeeded']);
    const earlier = await runTask(op);
    await waitFor(async () => ((await deliveries(op, first.id)).length === 1 ? true : undefined));
    // Finished a minute before (beyond the clocks' allowed skew, 2 s).
    await t.dataSource.query(`UPDATE tasks SET finished_at = finished_at - interval '1 minute' WHERE id = $1`, [
      earlier,
    ]);
    const later = await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: `${url}/after`, events: ['task.succeeded'] })
      .expect(201);
    const redis = new Redis(REDIS_URL);
    try {
      await redis.unlink(`${t.env.config.redis.prefix}:webhooks:catch-up:tasks`);
    } finally {
      redis.disconnect();
    }
    // From 10 minutes back: the earlier finish is read again, and is not the new endpoint's.
    expect((await t.app.get(WebhookCatchUp).run()).tasks).toBeGreaterThanOrEqual(1);
    expect(await deliveries(op, later.body.data.id)).toEqual([]);
    const after = await runTask(op);
    await waitFor(async () => ((await deliveries(op, later.body.data.id)).length === 1 ? true : undefined));
    expect((await deliveries(op, later.body.data.id)).map((d) => d.resourceId)).toEqual([after]);
    expect(earlier).not.toBe(after);
  });
});
