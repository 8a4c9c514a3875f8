import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, type RunView, startRun, stepOf } from './factories/workflows';
import { connectEvents, listeningApp } from './utils/live-socket';
import { HeldCalls, LoopbackServer } from './utils/loopback-server';
import { openSse, type SseListener } from './utils/sse-listener';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** A run event as SSE and Socket.IO send it (the fields compared here). */
interface RunUpdate {
  runId: string;
  status: string;
  steps: { id: string; status: string; taskId: string | null }[];
}

const RANK: Record<string, number> = { pending: 0, queued: 1, running: 2, succeeded: 3 };

/** The statuses step `id` went through in `events`, in order, each change once (events without it left out). */
function trail(events: RunUpdate[], id: string): string[] {
  const statuses = events.flatMap((e) => e.steps.filter((s) => s.id === id).map((s) => s.status));
  return statuses.filter((status, i) => status !== statuses[i - 1]);
}

/** Whether a trail only moves forward: pending, queued, running, succeeded, never back. */
const forward = (statuses: string[]): boolean =>
  statuses.every((status, i) => i === 0 || RANK[status] > RANK[statuses[i - 1]]);

describe('a workflow step is running from its task’s start', () => {
  const remote = new LoopbackServer();
  /** The remote end's calls not answered yet, by path: each step's task stays running until its call is. */
  const held = new HeldCalls(remote, (req) => req.url.slice(1));
  let remoteUrl: string;
  let t: TestApp;
  let url: string;
  let op: TestUser;
  const sockets: Socket[] = [];
  const streams: SseListener[] = [];

  beforeAll(async () => {
    remoteUrl = await remote.start();
    ({ t, url } = await listeningApp({ AGENT_ALLOW_PRIVATE_NETWORKS: 'true' }));
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const stream of streams) stream.close();
    held.answerAll();
    await t?.close();
    await remote.stop();
  });

  /** An HTTP agent whose calls wait at `/<path>` until {@link answer} answers them. */
  const heldAgent = async (path: string) =>
    (await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/${path}` } })).id;

  const called = (path: string) => held.called(path);
  const answer = (path: string, status = 200) => held.answer(path, status);

  const getRun = async (runId: string) =>
    (
      await request(t.http)
        .get(`/api/v1/workflow-runs/${runId}`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as RunView;

  const listedStatus = async (workflowId: string, runId: string, stepId: string) => {
    const res = await request(t.http)
      .get(`/api/v1/workflow-runs?workflowId=${workflowId}`)
      .set(...bearer(op))
      .expect(200);
    const run = (res.body.data as RunView[]).find((r) => r.id === runId)!;
    return stepOf(run, stepId).status;
  };

  const ended = (runId: string) =>
    waitFor(async () => {
      const run = await getRun(runId);
      return run.status !== 'running' && run;
    }, 15_000);

  /**
   * Two held steps, `b` after `a` (with `extra` steps beside them): `a` and then `b` are read while their tasks
   * run, and `b`, started while the run's SSE stream and a Socket.IO client follow it, is seen running on both.
   */
  async function followChain(name: string, extra: object[]): Promise<void> {
    const [a, b] = [`${name}-a`, `${name}-b`];
    const workflowId = await createWorkflow(t, op, {
      steps: [
        { id: 'a', agentId: await heldAgent(a), input: { value: 1 } },
        { id: 'b', agentId: await heldAgent(b), input: { value: 2 }, dependsOn: ['a'] },
        ...extra,
      ],
    });
    const socket = await connectEvents(url, op.accessToken);
    sockets.push(socket);
    const live: RunUpdate[] = [];
    socket.on('run.updated', (e: RunUpdate) => live.push(e));
    const { id: runId } = await startRun(t, op, workflowId, {});
    expect(await socket.emitWithAck('subscribe', { runId })).toEqual({ ok: true, room: `run:${runId}` });

    await called(a);
    // Its call made, the task has started: the run says so, read whole and listed, before the task ends.
    expect(stepOf(await getRun(runId), 'a').status).toBe('running');
    expect(await listedStatus(workflowId, runId, 'a')).toBe('running');

    const sse = await openSse(`${url}/api/v1/workflow-runs/${runId}/events`, op.accessToken);
    streams.push(sse);
    await waitFor(async () => sse.events.length > 0);
    const streamed = () => sse.events.map((e) => e.data as unknown as RunUpdate);
    answer(a);

    await called(b);
    const during = await getRun(runId);
    expect([stepOf(during, 'a').status, stepOf(during, 'b').status]).toEqual(['succeeded', 'running']);
    expect(await listedStatus(workflowId, runId, 'b')).toBe('running');
    // While `b` still runs, both live channels have said so.
    await waitFor(async () => trail(streamed(), 'b').includes('running'));
    await waitFor(async () => trail(live, 'b').includes('running'));
    expect(held.has(b)).toBe(true);

    answer(b);
    expect((await ended(runId)).status).toBe('succeeded');
    await waitFor(async () => sse.ended);
    expect(sse.events.every((e) => e.type === 'run')).toBe(true);
    expect(trail(streamed(), 'a')).toEqual(['running', 'succeeded']);
    expect(trail(streamed(), 'b')).toEqual(['pending', 'queued', 'running', 'succeeded']);
    await waitFor(async () => trail(live, 'b').at(-1) === 'succeeded');
    expect(forward(trail(live, 'a'))).toBe(true);
    expect(forward(trail(live, 'b'))).toBe(true);
    expect(trail(live, 'b').slice(-3)).toEqual(['queued', 'running', 'succeeded']);
    expect(live.every((e) => e.runId === runId)).toBe(true);
  }

  it('in a run of task steps, advanced step by step', async () => {
    await followChain('tasks-only', []);
  });

  it('in a run with a wait step, advanced as a whole', async () => {
    await followChain('with-wait', [{ id: 'w', kind: 'wait', durationMs: 1 }]);
  });

  it('in a retried run, for the step it runs again', async () => {
    const path = 'retried';
    const workflowId = await createWorkflow(t, op, {
      steps: [{ id: 'only', agentId: await heldAgent(path), input: { value: 1 } }],
    });
    const { id: runId } = await startRun(t, op, workflowId, {});
    await called(path);
    answer(path, 400);
    expect((await ended(runId)).status).toBe('failed');

    await request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/retry`)
      .set(...bearer(op))
      .expect(202);
    await called(path);
    expect(stepOf(await getRun(runId), 'only').status).toBe('running');
    expect(await listedStatus(workflowId, runId, 'only')).toBe('running');
    answer(path);
    expect((await ended(runId)).status).toBe('succeeded');
  });
});
