import { createHmac } from 'node:crypto';
import Redis from 'ioredis';
import { AgentExecutionError } from '../src/agents/agent-type';
import { breakerKey, CircuitBreakers } from '../src/agents/outbound/circuit-breakers';
import { NetworkGuard } from '../src/agents/outbound/network-guard';
import { OutboundHttpClient } from '../src/agents/outbound/outbound-http.client';
import { executionContext } from './fakes/execution-context';
import { TableResolver } from './fakes/host-resolver';
import { type HttpAgentConfig, HttpAgentType } from '../src/agents/types/http/http.agent-type';
import { type LlmAgentConfig, LlmAgentType } from '../src/agents/types/llm/llm.agent-type';
import type { AppConfig } from '../src/config/app-config';
import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { json, LoopbackServer, type RecordedRequest, streamChat } from './utils/loopback-server';
import { createTestApp, type TestApp, TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

function agents(config: AppConfig, redis: Redis, resolver = new TableResolver({ 'internal.test': ['10.1.2.3'] })) {
  const client = new OutboundHttpClient(new NetworkGuard(config, resolver));
  const breakers = new CircuitBreakers(config, redis);
  return { client, breakers, http: new HttpAgentType(client, breakers), llm: new LlmAgentType(client, breakers) };
}

async function failure(promise: Promise<unknown>): Promise<AgentExecutionError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AgentExecutionError);
    return err as AgentExecutionError;
  }
  throw new Error('expected the call to fail');
}

describe('remote agents over real HTTP on loopback', () => {
  const env = new TestEnv({
    AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
    AGENT_BREAKER_THRESHOLD: '3',
    AGENT_BREAKER_RESET_MS: '300',
  });
  const server = new LoopbackServer();
  let redis: Redis;
  let base: string;
  let kit: ReturnType<typeof agents>;
  const httpConfig = (over: Partial<HttpAgentConfig> = {}): HttpAgentConfig => ({
    url: `${base}/agent`,
    method: 'POST',
    timeoutMs: 2000,
    signingSecret: 'a-signing-secret-of-some-length',
    ...over,
  });

  beforeAll(async () => {
    base = await server.start();
    redis = new Redis(env.config.redis.url, { keyPrefix: `${env.config.redis.prefix}:` });
    kit = agents(env.config, redis);
  });
  afterAll(async () => {
    await kit.client.onApplicationShutdown();
    await server.stop();
    redis.disconnect();
    await env.destroy();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  it('http: posts {taskId, attempt, input} signed with X-Ymera-Signature and returns the JSON answer', async () => {
    server.handler = (req, res) => json(res, 200, { echoed: JSON.parse(req.body).input, ok: true });
    const out = await kit.http.execute(
      executionContext({ a: 1 }, httpConfig(), { agentId: 'sig', taskId: 't-9', attempt: 2 }),
    );
    expect(out).toEqual({ echoed: { a: 1 }, ok: true });
    const [req] = server.requests;
    expect(JSON.parse(req.body)).toEqual({ taskId: 't-9', attempt: 2, input: { a: 1 } });
    const timestamp = req.headers['x-ymera-timestamp'] as string;
    const expected = createHmac('sha256', 'a-signing-secret-of-some-length')
      .update(`${timestamp}.${req.body}`)
      .digest('hex');
    expect(req.headers['x-ymera-signature']).toBe(`sha256=${expected}`);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [404, false],
    [422, false],
  ])('http: a %d answer is retryable=%s', async (status, retry) => {
    server.handler = (_req, res) => json(res, status, { error: 'x' });
    const err = await failure(kit.http.execute(executionContext({}, httpConfig(), { agentId: `status-${status}` })));
    expect(err.retryable).toBe(retry);
    expect(err.code).toBe(`REMOTE_${status}`);
  });

  it('http: a network error and a timeout are retryable', async () => {
    const refused = await failure(
      kit.http.execute(executionContext({}, httpConfig({ url: 'http://127.0.0.1:1/x' }), { agentId: 'net' })),
    );
    expect(refused).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    server.handler = (_req, res) => setTimeout(() => json(res, 200, {}), 1000);
    const slow = await failure(
      kit.http.execute(executionContext({}, httpConfig({ timeoutMs: 200 }), { agentId: 'slow' })),
    );
    expect(slow).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('http: cancellation aborts the call at once and is not retried', async () => {
    server.handler = (_req, res) => setTimeout(() => json(res, 200, {}), 2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 100);
    const started = Date.now();
    const err = await failure(
      kit.http.execute(executionContext({}, httpConfig(), { agentId: 'cancel', signal: controller.signal })),
    );
    expect(err).toMatchObject({ code: 'CANCELLED', retryable: false });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('http: the breaker opens after repeated failures, fails fast, and closes after a good trial call', async () => {
    server.handler = (_req, res) => json(res, 503, {});
    for (let i = 0; i < 3; i += 1)
      await failure(kit.http.execute(executionContext({}, httpConfig(), { agentId: 'flaky' })));
    expect(await kit.breakers.stateOf('flaky')).toBe('open');
    const calls = server.requests.length;
    const open = await failure(kit.http.execute(executionContext({}, httpConfig(), { agentId: 'flaky' })));
    expect(open).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
    expect(server.requests.length).toBe(calls);

    await new Promise((r) => setTimeout(r, 350));
    server.handler = (_req, res) => json(res, 200, { back: true });
    await expect(kit.http.execute(executionContext({}, httpConfig(), { agentId: 'flaky' }))).resolves.toEqual({
      back: true,
    });
    expect(await kit.breakers.stateOf('flaky')).toBe('closed');
    expect(await redis.hget(breakerKey('flaky'), 'state')).toBe('closed');
  });

  it('llm: calls /chat/completions and maps the answer; 429 and 500 retry, 400 fails', async () => {
    const llmConfig: LlmAgentConfig = {
      baseUrl: `${base}/v1`,
      model: 'tiny',
      apiKey: 'sk-test',
      systemPrompt: 'Be brief.',
      timeoutMs: 2000,
    };
    server.handler = (req, res) =>
      json(res, 200, {
        model: 'tiny-2024',
        choices: [
          {
            message: { role: 'assistant', content: `you said ${JSON.parse(req.body).messages[1].content}` },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      });
    const out = await kit.llm.execute(executionContext({ prompt: 'hi' }, llmConfig, { agentId: 'llm-ok' }));
    expect(out).toEqual({
      text: 'you said hi',
      model: 'tiny-2024',
      usage: { promptTokens: 5, completionTokens: 3, totalTokens: 8 },
      finishReason: 'stop',
    });
    const [req] = server.requests;
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    // Streaming is asked for by default; a server that ignores it answers with one document, read as such.
    expect(JSON.parse(req.body)).toEqual({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    // stream: false sends the plain request.
    server.requests.length = 0;
    await kit.llm.execute(executionContext({ prompt: 'hi' }, { ...llmConfig, stream: false }, { agentId: 'llm-ok' }));
    expect(JSON.parse(server.requests[0].body)).toEqual({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(server.requests[0].headers.accept).toBe('application/json');

    server.handler = (_req, res) => json(res, 429, { error: 'slow down' }, { 'retry-after': '7' });
    expect(
      await failure(kit.llm.execute(executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-429' }))),
    ).toMatchObject({
      retryable: true,
      retryAfterMs: 7000,
    });
    server.handler = (_req, res) => json(res, 500, {});
    expect(
      (await failure(kit.llm.execute(executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-500' })))).retryable,
    ).toBe(true);
    server.handler = (_req, res) => json(res, 400, { error: 'bad' });
    expect(
      (await failure(kit.llm.execute(executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-400' })))).retryable,
    ).toBe(false);
  });

  it('llm: reads a streamed answer, handing each delta on as it arrives', async () => {
    const llmConfig: LlmAgentConfig = { baseUrl: base, model: 'tiny', timeoutMs: 5000 };
    const seen: string[] = [];
    server.handler = (_req, res) =>
      streamChat(res, ['Once', ' upon', ' a', ' time'], { delayMs: 30, onChunk: (text) => seen.push(text) });
    const arrivals: string[] = [];
    const ctx = executionContext({ prompt: 'story' }, llmConfig, { agentId: 'llm-stream' });
    ctx.outputDelta = (text) => {
      // Each delta comes while the server is still writing: it has sent exactly up to that one.
      arrivals.push(`${text}@${seen.length}`);
    };
    const out = await kit.llm.execute(ctx);
    expect(out).toEqual({
      text: 'Once upon a time',
      model: 'tiny-2024',
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
      finishReason: 'stop',
    });
    expect(arrivals).toEqual(['Once@1', ' upon@2', ' a@3', ' time@4']);
    expect(server.requests[0].headers.accept).toBe('text/event-stream, application/json');
  });

  it('llm: cancelling mid-stream closes the connection at once; a cut stream is retryable', async () => {
    const llmConfig: LlmAgentConfig = { baseUrl: base, model: 'tiny', timeoutMs: 10_000 };
    let closedAt = 0;
    server.handler = (_req, res) => {
      res.on('close', () => (closedAt = Date.now()));
      streamChat(
        res,
        Array.from({ length: 100 }, (_, i) => `w${i} `),
        { delayMs: 100 },
      );
    };
    const controller = new AbortController();
    const ctx = executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-cancel', signal: controller.signal });
    let abortedAt = 0;
    ctx.outputDelta = () => {
      if (abortedAt) return;
      abortedAt = Date.now() + 150;
      setTimeout(() => controller.abort(new Error('cancelled')), 150);
    };
    const err = await failure(kit.llm.execute(ctx));
    expect(err).toMatchObject({ code: 'CANCELLED', retryable: false });
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    // The server sees its client go (it had more than 9 seconds of chunks still to send).
    await waitFor(async () => closedAt > 0, 1000);
    expect(closedAt - abortedAt).toBeLessThan(1000);

    server.handler = (_req, res) => streamChat(res, ['Hel', 'lo', '!'], { delayMs: 20, cutAfter: 2 });
    const cut = await failure(kit.llm.execute(executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-cut' })));
    expect(cut).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });
});

describe('remote agents refuse private targets when AGENT_ALLOW_PRIVATE_NETWORKS is off', () => {
  const env = new TestEnv({ AGENT_ALLOW_PRIVATE_NETWORKS: 'false' });
  const server = new LoopbackServer();
  let redis: Redis;
  let base: string;
  let kit: ReturnType<typeof agents>;

  beforeAll(async () => {
    base = await server.start();
    redis = new Redis(env.config.redis.url, { keyPrefix: `${env.config.redis.prefix}:` });
    kit = agents(
      env.config,
      redis,
      new TableResolver({ 'internal.test': ['10.1.2.3'], 'public.test': ['93.184.216.34'] }),
    );
  });
  afterAll(async () => {
    await kit.client.onApplicationShutdown();
    await server.stop();
    redis.disconnect();
    await env.destroy();
  });

  it.each([
    'http://169.254.169.254/latest/meta-data',
    'http://127.0.0.1:8080/',
    'http://internal.test/hook',
    'http://[::1]/x',
    'http://[::ffff:127.0.0.1]/x',
  ])('refuses %s without connecting', async (url) => {
    const err = await failure(
      kit.http.execute(executionContext({}, { url, method: 'POST', timeoutMs: 1000 }, { agentId: 'ssrf' })),
    );
    expect(err).toMatchObject({ code: 'TARGET_NOT_ALLOWED', retryable: false });
  });

  it('checks every redirect target again', async () => {
    // Here the test's own loopback server stands in for a public host; everything else private stays refused.
    class LoopbackIsPublic extends NetworkGuard {
      protected override isAllowedAddress(address: string): boolean {
        return address === '127.0.0.1' || super.isAllowedAddress(address);
      }
    }
    const resolver = new TableResolver({ 'internal.test': ['10.1.2.3'] });
    const client = new OutboundHttpClient(new LoopbackIsPublic(env.config, resolver));
    const http = new HttpAgentType(client, new CircuitBreakers(env.config, redis));
    try {
      server.handler = (req, res) => {
        if (req.url === '/ok') return json(res, 200, { reached: true });
        res.writeHead(307, {
          location: req.url === '/to-metadata' ? 'http://169.254.169.254/latest' : 'http://internal.test/x',
        });
        res.end();
      };
      const config = (path: string) => ({ url: `${base}${path}`, method: 'POST' as const, timeoutMs: 1000 });
      await expect(http.execute(executionContext({}, config('/ok'), { agentId: 'redir' }))).resolves.toEqual({
        reached: true,
      });
      for (const path of ['/to-metadata', '/to-internal']) {
        const err = await failure(http.execute(executionContext({}, config(path), { agentId: 'redir' })));
        expect(err).toMatchObject({ code: 'TARGET_NOT_ALLOWED', retryable: false });
      }
    } finally {
      await client.onApplicationShutdown();
    }
  });
});

describe('agent secrets go only to the target they were given for (full stack)', () => {
  const first = new LoopbackServer();
  const second = new LoopbackServer();
  let urlA: string;
  let urlB: string;
  let t: TestApp;
  let op: TestUser;
  const SECRET_A = 'signing-secret-for-target-a';
  const SECRET_B = 'signing-secret-for-target-b';

  beforeAll(async () => {
    urlA = await first.start();
    urlB = await second.start();
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true' } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
    await first.stop();
    await second.stop();
  });
  beforeEach(() => {
    first.requests.length = 0;
    second.requests.length = 0;
  });

  const setConfig = (id: string, config: Record<string, unknown>) =>
    request(t.http)
      .post(`/api/v1/agents/${id}/config`)
      .set(...bearer(op))
      .send({ config });
  const run = async (agentId: string, input: unknown = { n: 1 }) =>
    settled(t, op, (await submitTask(t, op, { agentId, input })).id);
  const signedWith = (secret: string, req: RecordedRequest) =>
    req.headers['x-ymera-signature'] ===
    `sha256=${createHmac('sha256', secret)
      .update(`${req.headers['x-ymera-timestamp'] as string}.${req.body}`)
      .digest('hex')}`;

  it('http: a new url needs the signing secret and header values again; a rollback keeps each with its url', async () => {
    first.handler = second.handler = (_req, res) => json(res, 200, { ok: true });
    const agent = await createAgent(t, op, {
      type: 'http',
      config: {
        url: `${urlA}/run`,
        signingSecret: SECRET_A,
        headers: { Authorization: 'Bearer token-a', 'X-Tenant': 'tenant-a' },
      },
    });
    const masked = { signingSecret: '********', headers: { Authorization: '********', 'X-Tenant': '********' } };

    const redirected = await setConfig(agent.id, { url: `${urlB}/run`, ...masked }).expect(400);
    expect(redirected.body.error.code).toBe('VALIDATION_FAILED');
    expect(redirected.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      '/config/headers/Authorization',
      '/config/headers/X-Tenant',
      '/config/signingSecret',
    ]);
    // Another path on the same host is another target too.
    const moved = await setConfig(agent.id, { url: `${urlA}/elsewhere`, signingSecret: '********' }).expect(400);
    expect(moved.body.error.details).toEqual([{ field: '/config/signingSecret', message: expect.any(String) }]);
    // The same url, spelt differently, is the same target: the masks keep the stored values.
    await setConfig(agent.id, { url: `${urlA.toUpperCase().replace('HTTP', 'http')}/run`, ...masked }).expect(200);

    // New values (or none) are fine.
    await setConfig(agent.id, {
      url: `${urlB}/run`,
      signingSecret: SECRET_B,
      headers: { Authorization: 'Bearer token-b' },
    }).expect(200);
    expect((await run(agent.id)).status).toBe('succeeded');
    await request(t.http)
      .post(`/api/v1/agents/${agent.id}/config/rollback`)
      .set(...bearer(op))
      .send({ version: 1 })
      .expect(200);
    expect((await run(agent.id)).status).toBe('succeeded');

    expect(second.requests).toHaveLength(1);
    const [atB] = second.requests;
    expect(atB.headers.authorization).toBe('Bearer token-b');
    expect(atB.headers['x-tenant']).toBeUndefined();
    expect(signedWith(SECRET_B, atB)).toBe(true);
    expect(first.requests).toHaveLength(1);
    const [atA] = first.requests;
    expect(atA.headers.authorization).toBe('Bearer token-a');
    expect(atA.headers['x-tenant']).toBe('tenant-a');
    expect(signedWith(SECRET_A, atA)).toBe(true);
  });

  it('http: a redirect to another origin carries none of the configured headers', async () => {
    first.handler = (_req, res) => {
      res.writeHead(307, { location: `${urlB}/landing` });
      res.end();
    };
    second.handler = (_req, res) => json(res, 200, { landed: true });
    const agent = await createAgent(t, op, {
      type: 'http',
      config: { url: `${urlA}/moved`, headers: { Authorization: 'Bearer token-a', 'X-Tenant': 'tenant-a' } },
    });
    expect((await run(agent.id)).output).toEqual({ landed: true });
    expect(first.requests[0].headers.authorization).toBe('Bearer token-a');
    const [landed] = second.requests;
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers['x-tenant']).toBeUndefined();
    expect(JSON.parse(landed.body)).toEqual(expect.objectContaining({ input: { n: 1 } }));
  });

  it('llm: a new baseUrl needs the apiKey again; the same baseUrl keeps it', async () => {
    const answer = { model: 'm', choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }] };
    first.handler = second.handler = (_req, res) => json(res, 200, answer);
    const agent = await createAgent(t, op, {
      type: 'llm',
      config: { baseUrl: `${urlA}/v1`, model: 'm', apiKey: 'sk-for-a' },
    });
    const refused = await setConfig(agent.id, { baseUrl: `${urlB}/v1`, model: 'm', apiKey: '********' }).expect(400);
    expect(refused.body.error.details).toEqual([{ field: '/config/apiKey', message: expect.any(String) }]);
    await setConfig(agent.id, { baseUrl: `${urlA}/v1`, model: 'm2', apiKey: '********' }).expect(200);
    expect((await run(agent.id, { prompt: 'hi' })).status).toBe('succeeded');
    await setConfig(agent.id, { baseUrl: `${urlB}/v1`, model: 'm' }).expect(200);
    expect((await run(agent.id, { prompt: 'hi' })).status).toBe('succeeded');

    expect(first.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-for-a']);
    expect(second.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
  });
});
