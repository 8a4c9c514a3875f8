import type { Socket } from 'socket.io-client';
import type { QueryRunner } from 'typeorm';
import request from 'supertest';
import { createAgent, submitTask } from './factories/tasks';
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

/** How far a step has gone: a step of these runs (each run once, no retry) only ever moves to a higher rank. */
const RANK: Record<string, number> = {
  pending: 0,
  queued: 1,
  waiting: 1,
  running: 2,
  succeeded: 3,
  failed: 3,
  cancelled: 3,
  skipped: 3,
};

/** The statuses step `id` went through in `events`, in order, each change once (events without it left out). */
function trail(events: RunUpdate[], id: string): string[] {
  const statuses = events.flatMap((e) => e.steps.filter((s) => s.id === id).map((s) => s.status));
  return statuses.filter((status, i) => status !== statuses[i - 1]);
}

/** The steps whose trail in `events` goes back somewhere (`id: a > b > c`), none when every one moves forward. */
function backwards(events: RunUpdate[], ids: string[]): string[] {
  return ids
    .map((id) => ({ id, statuses: trail(events, id) }))
    .filter(({ statuses }) => statuses.some((s, i) => i > 0 && !(RANK[s] > RANK[statuses[i - 1]])))
    .map(({ id, statuses }) => `${id}: ${statuses.join(' > ')}`);
}

/** Each step's last status in `events`. */
function lastStatuses(events: RunUpdate[], ids: string[]): Record<string, string | undefined> {
  return Object.fromEntries(ids.map((id) => [id, trail(events, id).at(-1)]));
}

describe('a run’s live events never take a step back', () => {
  const remote = new LoopbackServer();
  /** The remote end's calls not answered yet, by the `key` of the task's input. */
  const held = new HeldCalls(remote, (req) => (JSON.parse(req.body) as { input: { key: string } }).input.key);
  let t: TestApp;
  let url: string;
  let op: TestUser;
  let calc: string;
  /** An HTTP agent whose calls wait until {@link answer}ed. */
  let heldAgent: string;
  /** The same, running one task at a time: a task of it waits `queued` while another runs. */
  let gatedAgent: string;
  const sockets: Socket[] = [];
  const streams: SseListener[] = [];
  const holds: QueryRunner[] = [];

  beforeAll(async () => {
    const remoteUrl = await remote.start();
    ({ t, url } = await listeningApp({ AGENT_ALLOW_PRIVATE_NETWORKS: 'true' }));
    op = await createUser(t, 'operator');
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 10 })).id;
    heldAgent = (await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/held` }, concurrency: 10 })).id;
    gatedAgent = (await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/gated` }, concurrency: 1 })).id;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const stream of streams) stream.close();
    for (const hold of holds) if (!hold.isReleased) await hold.release();
    held.answerAll();
    await t?.close();
    await remote.stop();
  });

  const called = (key: string) => held.called(key);
  const answer = (key: string) => held.answer(key);

  const getRun = async (runId: string) =>
    (
      await request(t.http)
        .get(`/api/v1/workflow-runs/${runId}`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as RunView;

  /**
   * Starts a run of `steps` and follows it on a Socket.IO client and on its SSE stream, both listening before
   * `ready` holds (the run waits on a held call, or a queued task, until the test lets it go on).
   */
  async function follow(steps: object[], ready: (run: RunView) => boolean) {
    const workflowId = await createWorkflow(t, op, { steps });
    const socket = await connectEvents(url, op.accessToken);
    sockets.push(socket);
    const live: RunUpdate[] = [];
    socket.on('run.updated', (e: RunUpdate) => live.push(e));
    const { id: runId } = await startRun(t, op, workflowId, {});
    expect(await socket.emitWithAck('subscribe', { runId })).toEqual({ ok: true, room: `run:${runId}` });
    await waitFor(async () => ready(await getRun(runId)));
    const sse = await openSse(`${url}/api/v1/workflow-runs/${runId}/events`, op.accessToken);
    streams.push(sse);
    await waitFor(async () => sse.events.length > 0);
    const streamed = () => sse.events.map((e) => e.data as unknown as RunUpdate);
    return { runId, live, streamed, sse };
  }

  /**
   * Holds the row of the run's step `stepId` in a transaction of the test's own, as a slow writer of it would:
   * a change of the run that writes that step waits at its write, after it read the run under its row lock.
   * Resolves with the step's status as held, a function that waits until some statement waits for the row, and
   * one that lets it go.
   */
  async function holdStepRow(runId: string, stepId: string) {
    const runner = t.dataSource.createQueryRunner();
    holds.push(runner);
    await runner.connect();
    await runner.startTransaction();
    const [{ status, pid }] = (await runner.query(
      `SELECT state->>'status' AS status, pg_backend_pid() AS pid FROM workflow_run_steps
        WHERE run_id = $1 AND step_id = $2 FOR UPDATE`,
      [runId, stepId],
    )) as { status: string; pid: number }[];
    return {
      status,
      waitedFor: () =>
        waitFor(async () => {
          const [{ n }] = (await t.dataSource.query(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
            [pid],
          )) as { n: number }[];
          return n > 0;
        }, 15_000),
      release: async () => {
        await runner.commitTransaction();
        await runner.release();
      },
    };
  }

  /** Waits until the run ended, its SSE stream with it and its last event on Socket.IO; the run as read. */
  async function ended(runId: string, live: RunUpdate[], sse: SseListener): Promise<RunView> {
    const run = await waitFor(async () => {
      const read = await getRun(runId);
      return read.status !== 'running' && read;
    }, 30_000);
    await waitFor(async () => sse.ended, 15_000);
    await waitFor(async () => live.some((e) => e.status !== 'running'), 15_000);
    return run;
  }

  it('when a wait falls due while a step’s task starts', async () => {
    // The gate's task runs on the gated agent: the run's step `b` on it stays queued until the gate is answered.
    await submitTask(t, op, { agentId: gatedAgent, input: { key: 'gate-1' } });
    await called('gate-1');
    const { runId, live, streamed, sse } = await follow(
      [
        // Long enough to be held before it falls due, however slow the set-up is.
        { id: 'w', kind: 'wait', durationMs: 8_000 },
        { id: 'b', agentId: gatedAgent, input: { key: 'b-1' } },
        { id: 'c', agentId: calc, input: { expression: '1 + 1' }, dependsOn: ['w', 'b'] },
      ],
      (run) => stepOf(run, 'w').status === 'waiting' && stepOf(run, 'b').status === 'queued',
    );
    // The wait falls due: its resolution reads the run (`b` queued) under the run's lock, then waits to write `w`.
    const w = await holdStepRow(runId, 'w');
    expect(w.status).toBe('waiting');
    await w.waitedFor();
    // Meanwhile `b`'s task starts, which marks `b` running without the run's lock, and says so.
    answer('gate-1');
    await called('b-1');
    await waitFor(async () => trail(live, 'b').includes('running') && trail(streamed(), 'b').includes('running'));
    await w.release();
    answer('b-1');

    const run = await ended(runId, live, sse);
    expect(Object.fromEntries(run.steps.map((s) => [s.id, s.status]))).toEqual({
      w: 'succeeded',
      b: 'succeeded',
      c: 'succeeded',
    });
    for (const events of [live, streamed()]) {
      expect(backwards(events, ['w', 'b', 'c'])).toEqual([]);
      expect(lastStatuses(events, ['w', 'b', 'c'])).toEqual({ w: 'succeeded', b: 'succeeded', c: 'succeeded' });
      expect(events.at(-1)!.status).toBe('succeeded');
    }
  });

  it('when a step’s end is taken into a run advanced as a whole while another step’s task starts', async () => {
    await submitTask(t, op, { agentId: gatedAgent, input: { key: 'gate-2' } });
    await called('gate-2');
    const { runId, live, streamed, sse } = await follow(
      [
        { id: 'a', agentId: heldAgent, input: { key: 'a-2' } },
        { id: 'b', agentId: gatedAgent, input: { key: 'b-2' } },
        // A wait: the run is advanced as a whole, not step by step.
        { id: 'w', kind: 'wait', durationMs: 1 },
        { id: 'c', agentId: calc, input: { expression: '1 + 1' }, dependsOn: ['a', 'b', 'w'] },
      ],
      (run) =>
        stepOf(run, 'a').status === 'running' &&
        stepOf(run, 'b').status === 'queued' &&
        stepOf(run, 'w').status === 'succeeded',
    );
    // `a` ends: the advance that takes it in reads the run (`b` queued) under its lock, then waits to write `a`.
    const a = await holdStepRow(runId, 'a');
    expect(a.status).toBe('running');
    answer('a-2');
    await a.waitedFor();
    answer('gate-2');
    await called('b-2');
    await waitFor(async () => trail(live, 'b').includes('running') && trail(streamed(), 'b').includes('running'));
    await a.release();
    answer('b-2');

    const run = await ended(runId, live, sse);
    expect(Object.fromEntries(run.steps.map((s) => [s.id, s.status]))).toEqual({
      a: 'succeeded',
      b: 'succeeded',
      w: 'succeeded',
      c: 'succeeded',
    });
    for (const events of [live, streamed()]) {
      expect(backwards(events, ['a', 'b', 'w', 'c'])).toEqual([]);
      expect(lastStatuses(events, ['a', 'b', 'w', 'c'])).toEqual({
        a: 'succeeded',
        b: 'succeeded',
        w: 'succeeded',
        c: 'succeeded',
      });
    }
  });

  it('in a fan-out of tasks and waits, its tasks started and ended as the workers take them', async () => {
    // A task starts as soon as a worker takes it; the waits' jobs are queued one by one after the tasks' jobs.
    const tasks = Array.from({ length: 150 }, (_, i) => `t${i + 1}`);
    const waits = Array.from({ length: 150 }, (_, i) => `w${i + 1}`);
    const ids = ['root', ...tasks, ...waits, 'join'];
    const { runId, live, streamed, sse } = await follow(
      [
        { id: 'root', agentId: heldAgent, input: { key: 'root-3' } },
        ...tasks.map((id, i) => ({ id, agentId: calc, input: { expression: `${i} + 1` }, dependsOn: ['root'] })),
        ...waits.map((id) => ({ id, kind: 'wait', durationMs: 1, dependsOn: ['root'] })),
        { id: 'join', agentId: calc, input: { expression: '1 + 1' }, dependsOn: [...tasks, ...waits] },
      ],
      (run) => stepOf(run, 'root').status === 'running',
    );
    answer('root-3');

    const run = await ended(runId, live, sse);
    expect(run.status).toBe('succeeded');
    expect(run.steps.filter((s) => s.status !== 'succeeded')).toEqual([]);
    for (const events of [live, streamed()]) {
      expect(backwards(events, ids)).toEqual([]);
      expect(Object.values(lastStatuses(events, ids)).every((s) => s === 'succeeded')).toBe(true);
    }
  });
});
