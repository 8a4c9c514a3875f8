import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { createAgent, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow } from './factories/workflows';
import { connectEvents } from './utils/live-socket';
import { readSse } from './utils/sse';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * An id in upper case names the same thing as in lower case, everywhere: caches, live-event rooms and stored
 * definitions see one spelling.
 */
describe('ids in upper case', () => {
  let t: TestApp;
  let url: string;
  let op: TestUser;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  it('a deleted agent takes no task, whichever case its id is sent in', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const upper = agent.id.toUpperCase();
    const task = await submitTask(t, op, { agentId: upper, input: { expression: '1+1' } });
    expect(task).toMatchObject({ agentId: agent.id });
    await request(t.http)
      .delete(`/api/v1/agents/${upper}`)
      .set(...bearer(op))
      .expect(204);
    for (const agentId of [upper, agent.id]) {
      const res = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send({ agentId, input: { expression: '1+1' } });
      expect({ agentId, status: res.status, code: res.body.error?.code }).toEqual({
        agentId,
        status: 409,
        code: 'CONFLICT',
      });
    }
  });

  it('live events reach a subscription and a stream that name the task in upper case', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    await request(t.http)
      .patch(`/api/v1/agents/${agent.id}`)
      .set(...bearer(op))
      .send({ status: 'paused' })
      .expect(200);
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '2+2' } });
    const upper = task.id.toUpperCase();

    const socket = await connectEvents(url, op.accessToken);
    sockets.push(socket);
    expect(await socket.emitWithAck('subscribe', { taskId: upper })).toEqual({ ok: true, room: `task:${task.id}` });
    const received: string[] = [];
    socket.on('task.updated', (event: { taskId: string; status: string }) => received.push(event.status));
    // The agent's subscription alone, on a socket of its own.
    const byAgent = await connectEvents(url, op.accessToken);
    sockets.push(byAgent);
    expect(await byAgent.emitWithAck('subscribe', { agentId: agent.id.toUpperCase() })).toMatchObject({ ok: true });
    const forAgent: string[] = [];
    byAgent.on('task.updated', (event: { taskId: string; status: string }) => forAgent.push(event.status));

    const stream = readSse(t.http, `/api/v1/tasks/${upper}/events`, bearer(op));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await request(t.http)
      .post(`/api/v1/tasks/${upper}/cancel`)
      .set(...bearer(op))
      .expect(200);
    const { events } = await stream;
    expect(events.map((e) => e.data.status)).toEqual(['queued', 'cancelled']);
    await waitFor(async () => received.length > 0 && forAgent.length > 0);
    expect({ received, forAgent }).toEqual({ received: ['cancelled'], forAgent: ['cancelled'] });
  });

  it('a workflow stores its steps’ agents in lower case', async () => {
    const agent = await createAgent(t, op, { type: 'calculator' });
    const id = await createWorkflow(t, op, {
      steps: [{ id: 's', agentId: agent.id.toUpperCase(), input: { expression: '1' } }],
    });
    const res = await request(t.http)
      .get(`/api/v1/workflows/${id.toUpperCase()}`)
      .set(...bearer(op))
      .expect(200);
    expect(res.body.data).toMatchObject({ id, steps: [{ agentId: agent.id }] });
  });
});
