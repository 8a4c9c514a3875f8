import type Redis from 'ioredis';
import request from 'supertest';
import { REDIS } from '../src/redis/redis.module';
import { TASK_JOB, TaskQueue } from '../src/tasks/task-queue';
import { createAgent, settled, submitTask, taskTestBed } from './factories/tasks';
import { bearer, type TestUser } from './factories/users';
import { json } from './utils/loopback-server';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** How the worker runs tasks: to success, with an agent's current config, pause and concurrency, old jobs, priorities. */
describe('tasks on a live worker', () => {
  let t: TestApp;
  let op: TestUser;
  let remoteUrl: string;
  const remote = taskTestBed((bed) => ({ t, op, remoteUrl } = bed));

  it('runs a calculator task to success and records the attempt and its worker', async () => {
    const agent = await createAgent(t, op, { type: 'calculator', config: { precision: 3 } });
    const task = await submitTask(t, op, {
      agentId: agent.id,
      input: { expression: '(1 + 2) * x / 7', variables: { x: 2 } },
    });
    expect(task.status).toBe('queued');
    const done = await settled(t, op, task.id);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'succeeded',
        output: { result: 0.857 },
        attempts: 1,
        progress: 100,
        error: null,
      }),
    );
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    const attempts = await request(t.http)
      .get(`/api/v1/tasks/${task.id}/attempts`)
      .set(...bearer(op))
      .expect(200);
    expect(attempts.body.data).toEqual([
      expect.objectContaining({ attempt: 1, status: 'succeeded', workerId: expect.stringContaining(':') }),
    ]);
  });

  it('uses a new agent config for the next task without any restart', async () => {
    const agent = await createAgent(t, op, { type: 'calculator', config: { precision: 2 } });
    const first = await settled(
      t,
      op,
      (await submitTask(t, op, { agentId: agent.id, input: { expression: '1 / 3' } })).id,
    );
    expect(first.output).toEqual({ result: 0.33 });
    await request(t.http)
      .post(`/api/v1/agents/${agent.id}/config`)
      .set(...bearer(op))
      .send({ config: { precision: 5 } })
      .expect(200);
    const second = await settled(
      t,
      op,
      (await submitTask(t, op, { agentId: agent.id, input: { expression: '1 / 3' } })).id,
    );
    expect(second.output).toEqual({ result: 0.33333 });
  });

  it('keeps a paused agent’s tasks waiting and runs them on resume; refuses tasks for a deleted agent', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '5' } });
    // The worker has taken the job, found the agent paused and put it back to look again later.
    const queue = t.app.get(TaskQueue).queue;
    await waitFor(async () => (await queue.getJob(task.id))?.isDelayed());
    expect(
      (
        await request(t.http)
          .get(`/api/v1/tasks/${task.id}`)
          .set(...bearer(op))
      ).body.data.status,
    ).toBe('queued');
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'active' })
      .expect(200);
    expect((await settled(t, op, task.id)).status).toBe('succeeded');
    await request(t.http)
      .delete(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(204);
    const res = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: '1' } })
      .expect(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it("parks a paused agent's tasks (each taken once, not every second) until its resume wakes them all", async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const patch = (body: object) =>
      request(t.http)
        .patch(`/api/v1/agents/${agent.id}`)
        .set(...bearer(op))
        .send(body)
        .expect(200);
    await patch({ status: 'paused' });
    const batch = await request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(op))
      .send({ tasks: Array.from({ length: 40 }, (_, i) => ({ agentId: agent.id, input: { expression: `${i}` } })) })
      .expect(202);
    const ids = (batch.body.data as { id: string }[]).map((task) => task.id);
    const queue = t.app.get(TaskQueue).queue;
    const jobs = () => Promise.all(ids.map((id) => queue.getJob(id)));
    await waitFor(async () => (await jobs()).every((job) => job?.processedOn !== undefined) || undefined, 15_000);
    // Another change while it stays paused wakes nothing.
    await patch({ name: 'renamed while paused' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const parked = await jobs();
    expect(parked.map((job) => job?.attemptsStarted)).toEqual(ids.map(() => 1));
    expect(await Promise.all(parked.map((job) => job?.isDelayed()))).toEqual(ids.map(() => true));

    // Woken by the resume: well before they would have looked again by themselves (30 s).
    await patch({ status: 'active' });
    for (const id of ids) expect((await settled(t, op, id, 15_000)).status).toBe('succeeded');

    // Parked again, then the agent deleted: they fail at once, not at their next look.
    await patch({ status: 'paused' });
    const late = await submitTask(t, op, { agentId: agent.id, input: { expression: '1' } });
    await waitFor(async () => (await queue.getJob(late.id))?.isDelayed(), 15_000);
    await request(t.http)
      .delete(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .expect(204);
    expect(await settled(t, op, late.id, 15_000)).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({ code: 'AGENT_DELETED' }),
    });
  }, 90_000);

  /** The remote agent answers after 300 ms; the most calls it held at once so far. */
  const countPeakCalls = (): (() => number) => {
    let inFlight = 0;
    let peak = 0;
    remote.handler = (_req, res) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        json(res, 200, { ok: true });
      }, 300);
    };
    return () => peak;
  };

  it('never runs more of one agent’s tasks at once than its concurrency allows', async () => {
    const peak = countPeakCalls();
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/limited` }, concurrency: 1 });
    const tasks = await Promise.all([1, 2, 3].map(() => submitTask(t, op, { agentId: agent.id, input: {} })));
    for (const task of tasks) expect((await settled(t, op, task.id)).status).toBe('succeeded');
    expect(peak()).toBe(1);
  });

  it('parks the tasks over an agent’s concurrency and wakes one as each slot frees, instead of polling', async () => {
    const peak = countPeakCalls();
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/one` }, concurrency: 1 });
    const res = await request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(op))
      .send({ tasks: Array.from({ length: 10 }, () => ({ agentId: agent.id, input: {} })) })
      .expect(202);
    const ids = (res.body.data as { id: string }[]).map((task) => task.id);
    const queue = t.app.get(TaskQueue).queue;
    // Each waiting task was taken once and parked; only a freed slot wakes one (it looks by itself after 2-4 s).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const waiting = (await Promise.all(ids.map((id) => queue.getJob(id)))).filter((job) => job && !job.finishedOn);
    expect(waiting.length).toBeGreaterThan(3);
    for (const job of waiting) expect(job!.attemptsStarted).toBeLessThanOrEqual(2);
    for (const id of ids) expect((await settled(t, op, id)).status).toBe('succeeded');
    expect(peak()).toBe(1);
  });

  it('wakes the tasks parked over an agent’s concurrency by priority: one sent later with priority 1 runs next', async () => {
    const calls: string[] = [];
    remote.handler = (req, res) => {
      calls.push((JSON.parse(req.body) as { input: { n: string } }).input.n);
      setTimeout(() => json(res, 200, { ok: true }), 500);
    };
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/ordered` }, concurrency: 1 });
    const send = (tasks: object[]) =>
      request(t.http)
        .post('/api/v1/tasks/batch')
        .set(...bearer(op))
        .send({ tasks: tasks.map((task) => ({ agentId: agent.id, ...task })) })
        .expect(202);
    const routine = await send(Array.from({ length: 8 }, (_, i) => ({ input: { n: `r${i}` }, priority: 5 })));
    await waitFor(async () => calls.length >= 2 || undefined, 15_000, 10);
    const startedBefore = calls.length;
    const urgent = await send(['u0', 'u1'].map((n) => ({ input: { n }, priority: 1 })));
    for (const task of [...routine.body.data, ...urgent.body.data] as { id: string }[])
      expect((await settled(t, op, task.id, 30_000)).status).toBe('succeeded');
    // The call under way when they came finishes first; then they run, before the routine ones still waiting.
    expect(calls).toHaveLength(10);
    expect([calls.indexOf('u0'), calls.indexOf('u1')].sort()).toEqual([startedBefore, startedBefore + 1]);
  }, 60_000);

  it('wakes the tasks parked over an agent’s concurrency when it is raised, and fails them at once when it is deleted', async () => {
    // The remote agent holds every call until the end.
    const held: (() => void)[] = [];
    remote.handler = (_req, res) => void held.push(() => json(res, 200, { ok: true }));
    try {
      const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/raised` }, concurrency: 1 });
      // As if 2,000 tasks were parked already, after these: one parked now looks again by itself after 20 s or more.
      const others = Array.from({ length: 2000 }, (_, i) => [String(2e14 + i), `parked-elsewhere-${i}`]);
      await t.app.get<Redis>(REDIS).zadd(`agent-parked:${agent.id}`, ...others.flat());
      const res = await request(t.http)
        .post('/api/v1/tasks/batch')
        .set(...bearer(op))
        .send({ tasks: Array.from({ length: 4 }, () => ({ agentId: agent.id, input: {} })) })
        .expect(202);
      const ids = (res.body.data as { id: string }[]).map((task) => task.id);
      const queue = t.app.get(TaskQueue).queue;
      const delayed = async () =>
        (await Promise.all(ids.map((id) => queue.getJob(id).then((job) => job?.isDelayed())))).filter(Boolean).length;
      await waitFor(async () => (held.length === 1 && (await delayed()) === 3) || undefined, 15_000);

      const patch = (body: object) =>
        request(t.http)
          .patch(`/api/v1/agents/${agent.id}`)
          .set(...bearer(op))
          .send(body)
          .expect(200);
      await patch({ concurrency: 3 });
      await waitFor(async () => held.length === 3 || undefined, 10_000);
      const still = await Promise.all(ids.map((id) => queue.getJob(id).then((job) => job?.isDelayed())));
      expect(still.filter(Boolean)).toHaveLength(1);

      await request(t.http)
        .delete(`/api/v1/agents/${agent.id}`)
        .set(...bearer(op))
        .expect(204);
      const last = ids[still.indexOf(true)];
      expect(await settled(t, op, last, 10_000)).toMatchObject({
        status: 'failed',
        error: expect.objectContaining({ code: 'AGENT_DELETED' }),
      });
    } finally {
      held.forEach((answer) => answer());
    }
  }, 60_000);

  it('grants an agent’s slots to tasks the worker takes together, up to its concurrency', async () => {
    const peak = countPeakCalls();
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/pair` }, concurrency: 2 });
    const res = await request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(op))
      .send({ tasks: Array.from({ length: 6 }, () => ({ agentId: agent.id, input: {} })) })
      .expect(202);
    for (const task of res.body.data as { id: string }[])
      expect((await settled(t, op, task.id)).status).toBe('succeeded');
    expect(peak()).toBe(2);
  });

  it('runs a job that carries only its task id (as jobs queued by an earlier version do)', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, {
      agentId: agent.id,
      input: { expression: '6 * 7' },
      runAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const queue = t.app.get(TaskQueue).queue;
    await (await queue.getJob(task.id))!.remove();
    await queue.add(TASK_JOB, { taskId: task.id }, { jobId: task.id });
    const done = await settled(t, op, task.id);
    expect(done.status).toBe('succeeded');
    expect(done.output).toEqual({ result: 42 });
  });
});

describe('priorities on a single-concurrency worker', () => {
  let t: TestApp;
  let op: TestUser;
  let remoteUrl: string;
  const remote = taskTestBed((bed) => ({ t, op, remoteUrl } = bed), { WORKER_CONCURRENCY: '1' });

  it('runs higher priorities (1 first) before lower ones', async () => {
    remote.handler = (_req, res) => setTimeout(() => json(res, 200, { done: true }), 800);
    const slow = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/busy` } });
    const calc = await createAgent(t, op, { type: 'calculator', concurrency: 10 });
    // The one worker slot is busy while the others queue up, so they all wait together.
    const blocker = await submitTask(t, op, { agentId: slow.id, input: {} });
    await waitFor(
      async () =>
        (
          await request(t.http)
            .get(`/api/v1/tasks/${blocker.id}`)
            .set(...bearer(op))
        ).body.data.status === 'running',
    );
    const ids = new Map<string, number>();
    for (const priority of [5, 1, 9, 3, 7]) {
      const task = await submitTask(t, op, { agentId: calc.id, input: { expression: String(priority) }, priority });
      ids.set(task.id, priority);
    }
    const done = await Promise.all([...ids.keys()].map((id) => settled(t, op, id)));
    const order = done
      .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
      .map((task) => ids.get(task.id));
    const blocked = await settled(t, op, blocker.id);
    expect(blocked.status).toBe('succeeded');
    const firstStart = Math.min(...done.map((task) => Date.parse(task.startedAt)));
    expect(firstStart).toBeGreaterThanOrEqual(Date.parse(blocked.finishedAt) - 50);
    expect(order).toEqual([1, 3, 5, 7, 9]);
  });
});
