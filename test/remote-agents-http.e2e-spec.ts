import { createHmac } from 'node:crypto';
import type Redis from 'ioredis';
import { breakerKey } from '../src/agents/outbound/circuit-breakers';
import type { HttpAgentConfig } from '../src/agents/types/http/http.agent-type';
import { executionContext } from './fakes/execution-context';
import { json } from './utils/loopback-server';
import { type AgentKit, failure, ON_LOOPBACK, remoteAgentsTestBed } from './utils/remote-agents';
import { waitFor } from './utils/wait-for';

describe('remote agents over real HTTP on loopback', () => {
  const bed = remoteAgentsTestBed(ON_LOOPBACK);
  const { server } = bed;
  let redis: Redis;
  let base: string;
  let kit: AgentKit;
  const httpConfig = (over: Partial<HttpAgentConfig> = {}): HttpAgentConfig => ({
    url: `${base}/agent`,
    method: 'POST',
    timeoutMs: 2000,
    signingSecret: 'a-signing-secret-of-some-length',
    ...over,
  });

  beforeAll(async () => ({ base, redis, kit } = await bed.start()));
  afterAll(() => bed.stop());
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

  it('http: a redirect whose body never ends is followed, its body closed unread past 64 KB', async () => {
    let hopClosed = false;
    server.handler = (req, res) => {
      if (req.url !== '/moved') return json(res, 200, { landed: true });
      res.writeHead(302, { location: `${base}/landing` });
      const drip = setInterval(() => res.write('x'.repeat(8192)), 5);
      res.on('close', () => {
        clearInterval(drip);
        hopClosed = true;
      });
    };
    const out = await kit.http.execute(
      executionContext({}, httpConfig({ url: `${base}/moved`, timeoutMs: 60_000 }), { agentId: 'hop' }),
    );
    expect(out).toEqual({ landed: true });
    expect(hopClosed).toBe(true);
  });

  it.each([301, 302, 303])(
    'http: a %d of the POST, followed as a GET on the same origin, sends no signature of a body it does not send',
    async (status) => {
      server.handler = (req, res) => {
        if (req.url !== '/moved') return json(res, 200, { landed: req.method });
        res.writeHead(status, { location: '/landing' }).end();
      };
      const out = await kit.http.execute(
        executionContext({}, httpConfig({ url: `${base}/moved`, headers: { 'x-team': 'red' } }), { agentId: 'hop2' }),
      );
      expect(out).toEqual({ landed: 'GET' });
      const [post, get] = server.requests;
      expect(post.headers['x-ymera-signature']).toMatch(/^sha256=/);
      expect(get.body).toBe('');
      expect(get.headers).not.toHaveProperty('x-ymera-signature');
      expect(get.headers).not.toHaveProperty('x-ymera-timestamp');
      expect(get.headers).not.toHaveProperty('content-type');
      // What the agent's config names for its own origin still goes.
      expect(get.headers['x-team']).toBe('red');
    },
  );

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
    let cutShort = false;
    // The remote never answers: only the cancellation can end the call, and it closes the connection.
    server.handler = (_req, res) => {
      res.on('close', () => (cutShort = !res.writableEnded));
      setTimeout(() => controller.abort(new Error('cancelled')), 50);
    };
    const controller = new AbortController();
    const err = await failure(
      kit.http.execute(executionContext({}, httpConfig(), { agentId: 'cancel', signal: controller.signal })),
    );
    expect(err).toMatchObject({ code: 'CANCELLED', retryable: false });
    await waitFor(async () => cutShort);
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
    // Its retry is due once the breaker lets a trial call through (AGENT_BREAKER_RESET_MS, 300 here), spread by up
    // to a quarter of it: not within the task's own backoff.
    expect(open.retryAfterMs).toBeGreaterThan(0);
    expect(open.retryAfterMs).toBeLessThanOrEqual(300 + 75);

    await new Promise((r) => setTimeout(r, 350));
    server.handler = (_req, res) => json(res, 200, { back: true });
    await expect(kit.http.execute(executionContext({}, httpConfig(), { agentId: 'flaky' }))).resolves.toEqual({
      back: true,
    });
    expect(await kit.breakers.stateOf('flaky')).toBe('closed');
    expect(await redis.hget(breakerKey('flaky'), 'state')).toBe('closed');
  });
});
