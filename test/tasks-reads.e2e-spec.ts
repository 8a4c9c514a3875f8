import request from 'supertest';
import { createAgent, holdStatements, settled, submitTask, taskTestBed } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { json } from './utils/loopback-server';
import { readSse } from './utils/sse';
import type { TestApp } from './utils/test-app';

/** Reading tasks: filters by tag and metadata, one user's tasks hidden from another, shared reads, the event stream. */
describe('tasks on a live worker', () => {
  let t: TestApp;
  let op: TestUser;
  let remoteUrl: string;
  const remote = taskTestBed((bed) => ({ t, op, remoteUrl } = bed));

  it('finds tasks by tag and by metadata values, and refuses malformed tags and filters', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const submit = (tags: string[], metadata: Record<string, unknown>) =>
      submitTask(t, op, { agentId: agent.id, input: { expression: '1' }, tags, metadata });
    const a = await submit(['nightly', 'acme'], { customer: 'acme', region: 'eu' });
    const b = await submit(['nightly'], { customer: 'globex', region: 'eu' });
    await submit([], { customer: 'acme', region: 'us' });
    const ids = async (query: string) =>
      (
        await request(t.http)
          .get(`/api/v1/tasks?agentId=${agent.id}&${query}`)
          .set(...bearer(op))
          .expect(200)
      ).body.data.map((task: { id: string }) => task.id);
    expect((await ids('tag=nightly')).sort()).toEqual([a.id, b.id].sort());
    expect(await ids('tag=acme')).toEqual([a.id]);
    expect(await ids('metadata.customer=acme&metadata.region=eu')).toEqual([a.id]);
    expect(await ids('tag=nightly&metadata.customer=globex')).toEqual([b.id]);
    expect(await ids('metadata.customer=initech')).toEqual([]);
    const got = await request(t.http)
      .get(`/api/v1/tasks/${a.id}`)
      .set(...bearer(op))
      .expect(200);
    expect(got.body.data.tags).toEqual(['nightly', 'acme']);

    const badTags = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: '1' }, tags: ['ok', 'not ok!', ''] })
      .expect(400);
    expect(badTags.body.error.details).toEqual([
      { field: '/tags/1', message: expect.stringMatching(/^must match /) },
      { field: '/tags/2', message: 'must not be empty' },
    ]);
    const twice = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: '1' }, tags: ['nightly', 'acme', 'nightly'] })
      .expect(400);
    expect(twice.body.error.details).toEqual([{ field: '/tags', message: 'each tag may be given once' }]);
    for (const query of ['metadata.bad%20key=x', 'metadata.k=a&metadata.k=b', 'unknown.k=x']) {
      const res = await request(t.http)
        .get(`/api/v1/tasks?${query}`)
        .set(...bearer(op))
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it("hides one user's tasks from another: 404 on read, cancel and retry, and absent from lists", async () => {
    const a = await createUser(t, 'operator');
    const b = await createUser(t, 'operator');
    const agent = await createAgent(t, a, { type: 'calculator' });
    const task = await submitTask(t, a, { agentId: agent.id, input: { expression: '1 +' } });
    await settled(t, a, task.id);
    await request(t.http)
      .get(`/api/v1/tasks/${task.id}`)
      .set(...bearer(b))
      .expect(404);
    await request(t.http)
      .get(`/api/v1/tasks/${task.id}/attempts`)
      .set(...bearer(b))
      .expect(404);
    await request(t.http)
      .post(`/api/v1/tasks/${task.id}/cancel`)
      .set(...bearer(b))
      .expect(404);
    await request(t.http)
      .post(`/api/v1/tasks/${task.id}/retry`)
      .set(...bearer(b))
      .expect(404);
    const list = await request(t.http)
      .get('/api/v1/tasks?limit=1000')
      .set(...bearer(b))
      .expect(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(task.id);
    const mine = await request(t.http)
      .get(`/api/v1/tasks?agentId=${agent.id}`)
      .set(...bearer(a))
      .expect(200);
    expect(mine.body.data.map((x: { id: string }) => x.id)).toEqual([task.id]);
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    await request(t.http)
      .get(`/api/v1/tasks/${task.id}`)
      .set(...bearer(admin))
      .expect(200);
  });

  it('answers concurrent reads, which share statements, each with its own caller’s view', async () => {
    const a = await createUser(t, 'operator');
    const b = await createUser(t, 'operator');
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    const mine = await submitTask(t, a, {
      agentId: (await createAgent(t, a, { type: 'calculator' })).id,
      input: { expression: '1 + 1' },
    });
    const theirs = await submitTask(t, b, {
      agentId: (await createAgent(t, b, { type: 'calculator' })).id,
      input: { expression: '2 + 2' },
    });
    const missing = '00000000-0000-4000-8000-000000000000';
    const cases: [TestUser, string, number][] = [
      [a, mine.id, 200],
      [b, mine.id, 404],
      [b, theirs.id, 200],
      [a, theirs.id.toUpperCase(), 404],
      [admin, theirs.id.toUpperCase(), 200],
      [a, missing, 404],
    ];
    const readMany = holdStatements('readMany');
    try {
      const requests = Array.from({ length: 48 }, (_, i) => cases[i % cases.length]);
      const responses = await Promise.all(
        requests.map(([user, id]) =>
          request(t.http)
            .get(`/api/v1/tasks/${id}`)
            .set(...bearer(user)),
        ),
      );
      responses.forEach((res, i) => {
        const [, id, status] = requests[i];
        expect(res.status).toBe(status);
        if (status === 200) expect(res.body.data.id).toBe(id.toLowerCase());
        else expect(res.body.error.code).toBe('NOT_FOUND');
      });
      expect(readMany.mock.calls.length).toBeLessThan(requests.length);
    } finally {
      readMany.mockRestore();
    }
  });

  it('streams a task’s changes as Server-Sent Events until it finishes', async () => {
    remote.handler = (_req, res) => setTimeout(() => json(res, 200, { streamed: true }), 300);
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/sse` } });
    const task = await submitTask(t, op, { agentId: agent.id, input: {} });
    const { status, contentType, events } = await readSse(t.http, `/api/v1/tasks/${task.id}/events`, bearer(op));
    expect(status).toBe(200);
    expect(contentType).toContain('text/event-stream');
    expect(events.every((e) => e.type === 'task' && e.data.taskId === task.id)).toBe(true);
    expect(events[events.length - 1].data.status).toBe('succeeded');
    expect(events.map((e) => e.data.status)).toContain('running');
  });
});
