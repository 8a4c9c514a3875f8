import type { ServerResponse } from 'node:http';
import request from 'supertest';
import { TaskExpiry } from '../src/tasks/task-expiry';
import { TaskQueue } from '../src/tasks/task-queue';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { json, LoopbackServer } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const METRICS_TOKEN = 'metrics-token-for-flow-control-0123456';

describe('flow control', () => {
  let t: TestApp;
  let op: TestUser;
  const remote = new LoopbackServer();
  let remoteUrl: string;

  beforeAll(async () => {
    remoteUrl = await remote.start();
    t = await createTestApp({
      env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '8', METRICS_TOKEN },
    });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });

  const tasksApi = () =>
    request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op));

  describe('concurrency keys', () => {
    it('runs at most concurrencyPerKey tasks of one key at once, while another key’s tasks run meanwhile', async () => {
      // The remote agent answers only when the test lets it: what runs at once is what is held at once.
      const held: { key: string; res: ServerResponse }[] = [];
      // The most calls of each key, and of all, the remote held at once.
      const peak: Record<string, number> = {};
      remote.handler = (req, res) => {
        const { input } = JSON.parse(req.body) as { input: { key: string } };
        held.push({ key: input.key, res });
        peak[input.key] = Math.max(peak[input.key] ?? 0, heldOf(input.key));
        peak.all = Math.max(peak.all ?? 0, held.length);
      };
      const heldOf = (key: string) => held.filter((h) => h.key === key).length;
      const release = (key: string) => {
        const at = held.findIndex((h) => h.key === key);
        const [{ res }] = held.splice(at, 1);
        json(res, 200, { ok: true });
      };
      const agent = await createAgent(t, op, {
        type: 'http',
        config: { url: `${remoteUrl}/keyed` },
        concurrency: 10,
        concurrencyPerKey: 2,
      });
      const submit = (key: string) =>
        submitTask(t, op, { agentId: agent.id, input: { key }, concurrencyKey: `customer-${key}` });
      const a: { id: string }[] = [];
      for (let i = 0; i < 6; i += 1) a.push(await submit('a'));
      await waitFor(async () => heldOf('a') === 2 || undefined, 15_000);

      // Key a is full; key b's tasks start at once all the same.
      const b = [await submit('b'), await submit('b')];
      await waitFor(async () => heldOf('b') === 2 || undefined, 15_000);
      expect(heldOf('a')).toBe(2);
      const statuses = (await t.dataSource.query(
        `SELECT status, count(*)::int AS n FROM tasks WHERE id = ANY($1) GROUP BY status ORDER BY status`,
        [a.map((task) => task.id)],
      )) as { status: string; n: number }[];
      expect(statuses).toEqual([
        { status: 'queued', n: 4 },
        { status: 'running', n: 2 },
      ]);
      const [task] = a;
      const view = await request(t.http)
        .get(`/api/v1/tasks/${task.id}`)
        .set(...bearer(op))
        .expect(200);
      expect(view.body.data.concurrencyKey).toBe('customer-a');

      // Each freed slot of key a lets exactly one waiting task of the key in, never a third.
      release('b');
      release('b');
      for (let done = 0; done < 6; done += 1) {
        await waitFor(async () => heldOf('a') >= Math.min(2, 6 - done) || undefined, 15_000);
        expect(heldOf('a')).toBeLessThanOrEqual(2);
        release('a');
      }
      for (const one of [...a, ...b]) expect((await settled(t, op, one.id)).status).toBe('succeeded');

      const [{ n }] = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM task_attempts WHERE task_id = ANY($1)`,
        [a.map((one) => one.id)],
      )) as { n: number }[];
      expect(n).toBe(6);
      // What the remote saw: never more than two of key a at once, and key b's beside them. (The stored times
      // cannot tell: a task's slots go back before its end is written, so the next may start a moment before.)
      expect(peak).toEqual({ a: 2, b: 2, all: 4 });
    }, 60_000);

    it('takes concurrencyPerKey on an agent, clears it with null, and refuses keys and limits out of range', async () => {
      const agent = await createAgent(t, op, { type: 'calculator', concurrencyPerKey: 3 });
      const patch = (body: Record<string, unknown>) =>
        request(t.http)
          .patch(`/api/v1/agents/${agent.id}`)
          .set(...bearer(op))
          .send(body);
      expect((await patch({ concurrencyPerKey: 5 }).expect(200)).body.data.concurrencyPerKey).toBe(5);
      expect((await patch({ concurrencyPerKey: null }).expect(200)).body.data.concurrencyPerKey).toBeNull();
      const zero = await patch({ concurrencyPerKey: 0 }).expect(400);
      expect(zero.body.error.details[0].field).toBe('/concurrencyPerKey');
      const long = await tasksApi()
        .send({ agentId: agent.id, input: { expression: '1' }, concurrencyKey: 'k'.repeat(201) })
        .expect(400);
      expect(long.body.error.details[0].field).toBe('/concurrencyKey');
      await tasksApi()
        .send({ agentId: agent.id, input: { expression: '1' }, concurrencyKey: '' })
        .expect(400);
      // A key on an agent without a limit per key is only a label.
      const free = await submitTask(t, op, { agentId: agent.id, input: { expression: '1' }, concurrencyKey: 'x' });
      expect((await settled(t, op, free.id)).status).toBe('succeeded');
    });
  });

  describe('expiry', () => {
    const pausedAgent = async () => {
      const agent = await createAgent(t, op, { type: 'calculator' });
      await request(t.http)
        .patch(`/api/v1/agents/${agent.id}`)
        .set(...bearer(op))
        .send({ status: 'paused' })
        .expect(200);
      return agent;
    };

    it('ends a task not started in time as expired, never run, audited and counted', async () => {
      const agent = await pausedAgent();
      const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '1' }, ttlMs: 1000 });
      const done = await settled(t, op, task.id);
      expect(done).toMatchObject({ status: 'expired', attempts: 0, startedAt: null, error: { code: 'EXPIRED' } });
      expect(new Date(done.expireAt as string).getTime()).toBeLessThanOrEqual(new Date(done.finishedAt).getTime());
      const attempts = await request(t.http)
        .get(`/api/v1/tasks/${task.id}/attempts`)
        .set(...bearer(op))
        .expect(200);
      expect(attempts.body.data).toEqual([]);
      const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM task_attempts WHERE task_id = $1`, [
        task.id,
      ])) as { n: number }[];
      expect(n).toBe(0);

      await t.chainAudit();
      const audit = (await t.dataSource.query(
        `SELECT actor_type AS "actorType", actor_id AS "actorId" FROM audit_logs WHERE action = 'task.expire' AND resource_id = $1`,
        [task.id],
      )) as { actorType: string; actorId: string | null }[];
      expect(audit).toEqual([{ actorType: 'system', actorId: null }]);

      const listed = await request(t.http)
        .get(`/api/v1/tasks?status=expired&agentId=${agent.id}`)
        .set(...bearer(op))
        .expect(200);
      expect(listed.body.data.map((x: { id: string }) => x.id)).toEqual([task.id]);
      const metrics = (await request(t.http).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).text;
      expect(metrics).toMatch(/tasks_total\{[^}]*status="expired"[^}]*\} [1-9]/);
    });

    it('expires overdue tasks no worker picks up, from the periodic job, and leaves the others', async () => {
      const agent = await pausedAgent();
      const soon = await submitTask(t, op, { agentId: agent.id, input: { expression: '1' }, ttlMs: 300 });
      const later = await submitTask(t, op, {
        agentId: agent.id,
        input: { expression: '1' },
        expireAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      // Their jobs gone: no worker will look at them.
      const queue = t.app.get(TaskQueue);
      await Promise.all([queue.remove(soon.id), queue.remove(later.id)]);
      await waitFor(async () => {
        await t.app.get(TaskExpiry).run();
        const [row] = (await t.dataSource.query(`SELECT status FROM tasks WHERE id = $1`, [soon.id])) as {
          status: string;
        }[];
        return row.status === 'expired' || undefined;
      }, 10_000);
      const [row] = (await t.dataSource.query(`SELECT status FROM tasks WHERE id = $1`, [later.id])) as {
        status: string;
      }[];
      expect(row.status).toBe('queued');
    });

    it('refuses an expireAt in the past, ttlMs with expireAt, and an expiry no later than runAt', async () => {
      const agent = await createAgent(t, op, { type: 'calculator' });
      const base = { agentId: agent.id, input: { expression: '1' } };
      const past = await tasksApi()
        .send({ ...base, expireAt: new Date(Date.now() - 1000).toISOString() })
        .expect(400);
      expect(past.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: '/expireAt', message: 'must be in the future' }],
      });
      const both = await tasksApi()
        .send({ ...base, ttlMs: 1000, expireAt: new Date(Date.now() + 60_000).toISOString() })
        .expect(400);
      expect(both.body.error.details).toEqual([
        { field: '/expireAt', message: 'give either ttlMs or expireAt, not both' },
      ]);
      await tasksApi()
        .send({ ...base, ttlMs: 1000, runAt: new Date(Date.now() + 60_000).toISOString() })
        .expect(400);
      await tasksApi()
        .send({ ...base, ttlMs: 0 })
        .expect(400);
      const batch = await request(t.http)
        .post('/api/v1/tasks/batch')
        .set(...bearer(op))
        .send({ tasks: [base, { ...base, expireAt: '2001-01-01T00:00:00Z' }] })
        .expect(400);
      expect(batch.body.error.details).toEqual([{ field: '/tasks/1/expireAt', message: 'must be in the future' }]);
      const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM tasks WHERE agent_id = $1`, [
        agent.id,
      ])) as { n: number }[];
      expect(n).toBe(0);
    });

    it('runs a task started before its expiry as any other', async () => {
      const agent = await createAgent(t, op, { type: 'calculator' });
      const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '2 * 3' }, ttlMs: 60_000 });
      expect(await settled(t, op, task.id)).toMatchObject({ status: 'succeeded', output: { result: 6 } });
    });
  });

  describe('workflow runs', () => {
    it('start with tags, show them, pass them to their step tasks, and are found by tag', async () => {
      const calc = await createAgent(t, op, { type: 'calculator' });
      const wf = await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({ name: `wf-${Date.now()}`, steps: [{ id: 'a', agentId: calc.id, input: { expression: '1 + 1' } }] })
        .expect(201);
      const start = (body: Record<string, unknown>) =>
        request(t.http)
          .post(`/api/v1/workflows/${wf.body.data.id}/runs`)
          .set(...bearer(op))
          .send(body);
      const tagged = (await start({ input: {}, tags: ['nightly', 'acme'] }).expect(202)).body.data;
      const plain = (await start({ input: {} }).expect(202)).body.data;
      expect(tagged.tags).toEqual(['nightly', 'acme']);
      expect(plain.tags).toEqual([]);
      const bad = await start({ tags: ['no spaces'] }).expect(400);
      expect(bad.body.error.details[0].field).toBe('/tags/0');
      const twice = await start({ tags: ['acme', 'acme'] }).expect(400);
      expect(twice.body.error.details).toEqual([{ field: '/tags', message: 'each tag may be given once' }]);

      const found = await request(t.http)
        .get('/api/v1/workflow-runs?tag=acme')
        .set(...bearer(op))
        .expect(200);
      expect(found.body.data.map((r: { id: string }) => r.id)).toEqual([tagged.id]);
      const ofWorkflow = await request(t.http)
        .get(`/api/v1/workflows/${wf.body.data.id}/runs?tag=nightly`)
        .set(...bearer(op))
        .expect(200);
      expect(ofWorkflow.body.data.map((r: { id: string }) => r.id)).toEqual([tagged.id]);
      const all = await request(t.http)
        .get(`/api/v1/workflow-runs?workflowId=${wf.body.data.id}`)
        .set(...bearer(op))
        .expect(200);
      expect(all.body.meta.total).toBe(2);
      await request(t.http)
        .get('/api/v1/workflow-runs?status=unknown')
        .set(...bearer(op))
        .expect(400);

      const run = await waitFor(async () => {
        const res = await request(t.http)
          .get(`/api/v1/workflow-runs/${tagged.id}`)
          .set(...bearer(op));
        return res.body.data.status === 'succeeded' ? res.body.data : undefined;
      }, 15_000);
      const step = await request(t.http)
        .get(`/api/v1/tasks/${run.steps[0].taskId}`)
        .set(...bearer(op))
        .expect(200);
      expect(step.body.data.tags).toEqual(['nightly', 'acme']);
    });
  });
});
