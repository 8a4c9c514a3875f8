import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { buildApp, processEnv, startProcess } from './utils/built-app';
import { json, LoopbackServer } from './utils/loopback-server';
import { createTestApp, TestEnv, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

interface RunView {
  id: string;
  status: string;
  output: Record<string, unknown> | null;
  steps: {
    id: string;
    status: string;
    taskId: string | null;
    output: unknown;
    error: { code: string; message: string } | null;
  }[];
}

/** Never ends: JSONata turns the tail call into a loop, so no stack ever overflows. */
const NEVER_ENDS = '{{ ($f := function($x){ $f($x) }; $f(1)) }}';
/** Recurses without a base case and not in tail position: the stack grows with every call. */
const RUNAWAY_RECURSION = '{{ ($f := function($x){ 1 + $f($x + 1) }; $f(1)) }}';
/** Ten million numbers, JSONata's own range maximum. */
const HUGE_RANGE = '{{ $string($sum([1..10000000])) }}';

describe('workflow step templates', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;
  let echo: string;
  const remote = new LoopbackServer();

  beforeAll(async () => {
    const url = await remote.start();
    remote.handler = (req, res) => json(res, 200, { received: (JSON.parse(req.body) as { input: unknown }).input });
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WORKFLOW_TEMPLATE_TIMEOUT_MS: '1000' } });
    op = await createUser(t, 'operator');
    calc = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
    echo = (await createAgent(t, op, { type: 'http', config: { url: `${url}/echo` }, concurrency: 4 })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });

  const define = async (steps: object[]) =>
    (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(op))
        .send({ name: 'templates', steps })
        .expect(201)
    ).body.data as { id: string };
  const getRun = async (runId: string) =>
    (
      await request(t.http)
        .get(`/api/v1/workflow-runs/${runId}`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as RunView;
  const finished = (runId: string) =>
    waitFor(async () => {
      const run = await getRun(runId);
      return run.status !== 'running' ? run : undefined;
    }, 20_000);
  const stepOf = (run: RunView, id: string) => run.steps.find((s) => s.id === id)!;

  /**
   * Starts a run and probes /health/live until the start request (which evaluates the first steps'
   * templates) has answered. Returns the run and how many probes were answered in the meantime.
   */
  const startWhileProbing = async (workflowId: string) => {
    let answered = 0;
    let done = false;
    const started = request(t.http)
      .post(`/api/v1/workflows/${workflowId}/runs`)
      .set(...bearer(op))
      .send({ input: {} })
      .then((res) => {
        done = true;
        return res;
      });
    while (!done) {
      const probe = await request(t.http).get('/health/live');
      expect(probe.status).toBe(200);
      if (!done) answered += 1;
      await sleep(20);
    }
    const res = await started;
    expect(res.status).toBe(202);
    return { run: res.body.data as RunView, answered };
  };

  it('renders plain paths that read through an array, at the start and after a step, as JSONata maps them', async () => {
    // Plain paths are rendered without a template thread, until one reads a field of an array: that one goes to
    // a thread, and its step starts all the same.
    const wf = await define([
      { id: 'a', agentId: echo, input: { names: '{{ input.items.name }}', items: '{{ input.items }}' } },
      {
        id: 'b',
        agentId: echo,
        input: { names: '{{ steps.a.output.received.items.name }}', count: '{{ input.n }}' },
        dependsOn: ['a'],
      },
      { id: 'c', agentId: echo, input: { first: '{{ steps.a.output.received.names }}' }, dependsOn: ['a'] },
    ]);
    const items = [{ name: 'tea' }, { name: 'cake' }];
    const res = await request(t.http)
      .post(`/api/v1/workflows/${wf.id}/runs`)
      .set(...bearer(op))
      .send({ input: { n: 2, items } })
      .expect(202);
    const done = await finished((res.body.data as RunView).id);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'a').output).toEqual({ received: { names: ['tea', 'cake'], items } });
    expect(stepOf(done, 'b').output).toEqual({ received: { names: ['tea', 'cake'], count: 2 } });
    expect(stepOf(done, 'c').output).toEqual({ received: { first: ['tea', 'cake'] } });
  }, 30_000);

  it('fails a step whose template never ends with TEMPLATE_TIMEOUT, and keeps answering meanwhile', async () => {
    const wf = await define([
      { id: 'loop', agentId: calc, input: { expression: NEVER_ENDS }, continueOnFailure: true },
      {
        id: 'after',
        agentId: calc,
        input: { expression: '{{ steps.loop.status = "failed" ? "1" : "0" }}' },
        dependsOn: ['loop'],
      },
    ]);
    const { run, answered } = await startWhileProbing(wf.id);
    expect(answered).toBeGreaterThanOrEqual(3);
    const done = await finished(run.id);
    expect(stepOf(done, 'loop')).toEqual(
      expect.objectContaining({
        status: 'failed',
        taskId: null,
        error: { code: 'TEMPLATE_TIMEOUT', message: expect.stringMatching(/^\/expression: .*1000 ms/) },
      }),
    );
    expect(stepOf(done, 'after')).toEqual(expect.objectContaining({ status: 'succeeded', output: { result: 1 } }));
    expect(done.status).toBe('succeeded');
  }, 30_000);

  it('fails a step whose template allocates a huge range with TEMPLATE_TOO_LARGE, failing the run', async () => {
    const wf = await define([
      { id: 'sum', agentId: calc, input: { expression: HUGE_RANGE } },
      { id: 'next', agentId: calc, input: { expression: '1' }, dependsOn: ['sum'] },
    ]);
    const { run } = await startWhileProbing(wf.id);
    const done = await finished(run.id);
    expect(stepOf(done, 'sum').error).toEqual({
      code: 'TEMPLATE_TOO_LARGE',
      message: expect.stringMatching(/^\/expression: /),
    });
    expect(stepOf(done, 'sum').status).toBe('failed');
    expect(stepOf(done, 'next').status).toBe('skipped');
    expect(done.status).toBe('failed');
  }, 30_000);

  it('fails a step whose template recurses without end with TEMPLATE_TOO_DEEP', async () => {
    const wf = await define([{ id: 'deep', agentId: calc, input: { expression: RUNAWAY_RECURSION } }]);
    const { run } = await startWhileProbing(wf.id);
    const done = await finished(run.id);
    expect(stepOf(done, 'deep')).toEqual(
      expect.objectContaining({
        status: 'failed',
        error: { code: 'TEMPLATE_TOO_DEEP', message: expect.stringMatching(/^\/expression: .*evaluation frames/) },
      }),
    );
    expect(done.status).toBe('failed');
  }, 30_000);

  it('fails a step whose rendered input is larger than allowed with TEMPLATE_TOO_LARGE', async () => {
    const wf = await define([{ id: 'big', agentId: echo, input: { text: 'x{{ $pad("", 2000000, "y") }}' } }]);
    const done = await finished((await startWhileProbing(wf.id)).run.id);
    expect(stepOf(done, 'big').error).toEqual({
      code: 'TEMPLATE_TOO_LARGE',
      message: expect.stringMatching(/^\/text: the rendered input is larger than 1048576 bytes/),
    });
  }, 30_000);

  it('fails a step whose template makes what an input cannot hold, and the run goes on past it', async () => {
    // A NUL decoded from outside data: Postgres cannot store it, and the run stayed `running` for good.
    const wf = await define([
      { id: 'nul', agentId: echo, input: { text: '{{ $base64decode("AA==") }}' }, continueOnFailure: true },
      { id: 'after', agentId: calc, input: { expression: '1 + 1' }, dependsOn: ['nul'] },
    ]);
    const done = await finished((await startWhileProbing(wf.id)).run.id);
    expect(stepOf(done, 'nul')).toMatchObject({
      status: 'failed',
      error: {
        code: 'TEMPLATE_ERROR',
        message: '/text: makes text with a NUL character or an unpaired surrogate, which an input cannot hold',
      },
    });
    expect(stepOf(done, 'after').status).toBe('succeeded');
    expect(done.status).toBe('succeeded');
  }, 30_000);

  it('fails a step whose template would make one string of 100 MB, and the process lives on', async () => {
    // One allocation that large ended the whole process (V8 aborts it), and the run's next advance did so again.
    const wf = await define([{ id: 'huge', agentId: echo, input: { expression: "{{ $pad('x', 100000000) }}" } }]);
    const done = await finished((await startWhileProbing(wf.id)).run.id);
    expect(stepOf(done, 'huge').error).toEqual({
      code: 'TEMPLATE_TOO_LARGE',
      message: expect.stringMatching(/^\/expression: makes a string longer than \d+ characters/),
    });
    expect(done.status).toBe('failed');
  }, 30_000);

  it('renders ordinary templates with their types, and reports evaluation errors as before', async () => {
    const wf = await define([
      {
        id: 'a',
        agentId: echo,
        input: {
          n: '{{ input.n * 2 }}',
          list: '{{ input.items[price > 1].name }}',
          object: '{{ {"count": $count(input.items), "ok": true} }}',
          missing: '{{ input.nothing }}',
          text: 'Hello {{ input.name }}, {{ $count(input.items) }} items',
          plain: 'no template',
        },
      },
      { id: 'b', agentId: calc, input: { expression: '{{ $number("not a number") }}' }, dependsOn: ['a'] },
    ]);
    const res = await request(t.http)
      .post(`/api/v1/workflows/${wf.id}/runs`)
      .set(...bearer(op))
      .send({
        input: {
          n: 21,
          name: 'Ada',
          items: [
            { name: 'tea', price: 1 },
            { name: 'cake', price: 3 },
            { name: 'pie', price: 4 },
          ],
        },
      })
      .expect(202);
    const done = await finished((res.body.data as RunView).id);
    expect(stepOf(done, 'a').output).toEqual({
      received: {
        n: 42,
        list: ['cake', 'pie'],
        object: { count: 3, ok: true },
        missing: null,
        text: 'Hello Ada, 3 items',
        plain: 'no template',
      },
    });
    expect(stepOf(done, 'b').error).toEqual({
      code: 'TEMPLATE_ERROR',
      message: expect.stringMatching(/^\/expression: .*number/i),
    });
  }, 30_000);

  it('evaluates without holding the run: a run cancelled meanwhile stays cancelled and gets no task', async () => {
    const wf = await define([{ id: 'loop', agentId: calc, input: { expression: NEVER_ENDS } }]);
    const started = request(t.http)
      .post(`/api/v1/workflows/${wf.id}/runs`)
      .set(...bearer(op))
      .send({ input: {} })
      .then((r) => r);
    const runId = await waitFor(async () => {
      const list = await request(t.http)
        .get(`/api/v1/workflows/${wf.id}/runs`)
        .set(...bearer(op));
      return (list.body.data as RunView[] | undefined)?.[0]?.id;
    }, 5000);
    const cancelled = await request(t.http)
      .post(`/api/v1/workflow-runs/${runId}/cancel`)
      .set(...bearer(op))
      .expect(200);
    expect(cancelled.body.data.status).toBe('cancelled');
    await started;
    const after = await getRun(runId);
    expect(after.status).toBe('cancelled');
    expect(stepOf(after, 'loop')).toEqual(expect.objectContaining({ status: 'cancelled', taskId: null, error: null }));
  }, 30_000);

  it('checks templates when a workflow is saved, without evaluating them', async () => {
    const bad = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'bad',
        steps: [
          { id: 'a', agentId: calc, input: { expression: '{{ input.x + }}' } },
          { id: 'b', agentId: calc, input: { expression: `{{ ${'('.repeat(500)}1${')'.repeat(500)} }}` } },
          { id: 'c', agentId: calc, input: { expression: `{{ ${'1 + '.repeat(5000)}1 }}` } },
        ],
      })
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details).toEqual([
      { field: '/steps/0/input/expression', message: expect.stringMatching(/syntax|expected|token/i) },
      { field: '/steps/1/input/expression', message: expect.stringMatching(/nested/) },
      { field: '/steps/2/input/expression', message: expect.stringMatching(/longer than \d+ characters/) },
    ]);
    // A template that would never end is only parsed when saved.
    await define([{ id: 'loop', agentId: calc, input: { expression: NEVER_ENDS } }]);
  });

  it('refuses a chain of operators too long to walk (no bracket nests), on a step and a wait, with 400', async () => {
    const chain = `{{ ${'1+'.repeat(2000)}1 }}`;
    const created = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({
        name: 'chained',
        steps: [
          { id: 'a', agentId: calc, input: { expression: chain } },
          { id: 'w', kind: 'wait', until: chain },
        ],
      })
      .expect(400);
    expect(created.body.error.details).toEqual([
      { field: '/steps/0/input/expression', message: expect.stringMatching(/more than 500 operations/) },
      { field: '/steps/1/until', message: expect.stringMatching(/more than 500 operations/) },
    ]);
    const { id: saved } = await define([{ id: 'a', agentId: calc, input: { expression: '{{ 1 }}' } }]);
    const changed = await request(t.http)
      .patch(`/api/v1/workflows/${saved}`)
      .set(...bearer(op))
      .send({ steps: [{ id: 'a', agentId: calc, input: { expression: chain } }] })
      .expect(400);
    expect(changed.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('the built process with a template being evaluated', () => {
  const env = new TestEnv();

  beforeAll(() => buildApp(), 120_000);
  afterAll(async () => {
    await env.destroy();
  });

  it('answers probes and stops on SIGTERM while a template that never ends is evaluated', async () => {
    const app = startProcess(
      processEnv(env, { PORT: '0', APP_ROLE: 'all', LOG_LEVEL: 'warn', WORKFLOW_TEMPLATE_TIMEOUT_MS: '120000' }),
    );
    try {
      const [, url] = await app.waitFor(/listening on (http:\/\/\S+)\/api\/v1/);
      const call = async (path: string, body?: unknown, token?: string) => {
        const res = await fetch(`${url}/api/v1${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return ((await res.json()) as { data: Record<string, string> & Record<string, unknown> }).data;
      };
      const { accessToken } = await call('/auth/login', {
        email: env.config.auth.adminEmail,
        password: env.config.auth.adminPassword,
      });
      const agent = await call('/agents', { name: 'calc', type: 'calculator' }, accessToken);
      const wf = await call(
        '/workflows',
        { name: 'forever', steps: [{ id: 'loop', agentId: agent.id, input: { expression: NEVER_ENDS } }] },
        accessToken,
      );
      // The start request waits for the template; it is left pending.
      void call(`/workflows/${wf.id}/runs`, { input: {} }, accessToken).catch(() => undefined);
      await waitFor(
        async () => ((await call(`/workflows/${wf.id}/runs`, undefined, accessToken)) as unknown as []).length > 0,
        10_000,
      );
      for (let i = 0; i < 5; i += 1) {
        expect((await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
        await sleep(100);
      }
      // Still being evaluated: the run is running and its step has no task yet.
      const [run] = (await call(`/workflows/${wf.id}/runs`, undefined, accessToken)) as unknown as RunView[];
      expect(run.status).toBe('running');
      expect(run.steps).toEqual([expect.objectContaining({ id: 'loop', status: 'pending', taskId: null })]);
      app.child.kill('SIGTERM');
      const exited = await Promise.race([
        new Promise<number | null>((resolve) => app.child.once('exit', (code) => resolve(code))),
        sleep(20_000).then(() => 'still running' as const),
      ]);
      expect(exited).toBe(0);
    } finally {
      await app.stop('SIGKILL');
    }
  }, 120_000);
});
