import { Agent, get as httpGet } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ShutdownDeadline } from '../src/common/process/shutdown-deadline';
import { ProbeModule } from './utils/probe.module';
import { readSse } from './utils/sse';
import { createTestApp, TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const APP_ORIGIN = 'https://app.example';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Sends `raw` bytes as they are over one connection; the status and body of what comes back before it closes. */
async function rawHttp(t: TestApp, raw: string): Promise<{ status: number; body: unknown }> {
  const server = t.app.getHttpServer();
  if (!server.address()) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.end(raw);
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  const [head, body] = text.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: JSON.parse(body) };
}

function expectErrorEnvelope(body: unknown, code: string): void {
  expect(body).toEqual({
    status: 'error',
    error: expect.objectContaining({ code, message: expect.any(String) }),
    meta: { timestamp: expect.any(String), requestId: expect.any(String) },
  });
}

describe('HTTP plumbing (envelope, errors, headers)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      imports: [ProbeModule],
      env: { BODY_LIMIT: '2kb', REQUEST_TIMEOUT_MS: '300', CORS_ORIGINS: APP_ORIGIN },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('wraps results in the success envelope with request id and response time', async () => {
    const res = await request(t.http).post('/api/v1/probe/echo').send({ name: 'a' }).expect(201);
    expect(res.body).toEqual({
      status: 'success',
      data: { name: 'a' },
      meta: { timestamp: expect.any(String), requestId: res.headers['x-request-id'] },
    });
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.headers['x-response-time']).toMatch(/^\d+(\.\d+)?ms$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(res.body)));
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await request(t.http).get('/api/v1/probe/list').expect(200);
    const head = await request(t.http).head('/api/v1/probe/list').expect(200);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.text).toBeUndefined();
  });

  it('keeps a sane client request id and replaces an unsafe one', async () => {
    const kept = await request(t.http).get('/api/v1/probe/list').set('X-Request-Id', 'client-abc.123').expect(200);
    expect(kept.headers['x-request-id']).toBe('client-abc.123');
    expect(kept.body.meta.requestId).toBe('client-abc.123');
    const replaced = await request(t.http).get('/api/v1/probe/list').set('X-Request-Id', '<script>"x"</script>');
    expect(replaced.headers['x-request-id']).toMatch(UUID);
  });

  it('answers an unknown route with 404 NOT_FOUND in the envelope', async () => {
    const res = await request(t.http).get('/api/v1/does-not-exist').expect(404);
    expectErrorEnvelope(res.body, 'NOT_FOUND');
    expect(res.body.meta.requestId).toBe(res.headers['x-request-id']);
    const root = await request(t.http).delete('/nowhere').expect(404);
    expectErrorEnvelope(root.body, 'NOT_FOUND');
  });

  it('matches paths with their case: an upper-case spelling of a route is not that route', async () => {
    // Were it served, it would pass by every check written for the lower-case path (the envelope, no-store).
    for (const [method, path] of [
      ['post', '/API/V1/PROBE/ECHO'],
      ['post', '/Api/v1/probe/echo'],
      ['post', '/api/v1/AUTH/login'],
      ['get', '/api/v1/Probe/list'],
    ] as const) {
      const res = await request(t.http)[method](path).send({ name: 'a' });
      expect([path, res.status]).toEqual([path, 404]);
      expectErrorEnvelope(res.body, 'NOT_FOUND');
    }
    await request(t.http).post('/api/v1/probe/echo').send({ name: 'a' }).expect(201);
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await request(t.http)
      .post('/api/v1/probe/echo')
      .set('Content-Type', 'application/json')
      .send('{"name": "a",')
      .expect(400);
    expectErrorEnvelope(res.body, 'BAD_REQUEST');
    expect(res.body.error.message).toMatch(/^The request body is not valid JSON/);
    // The parser's own words quote the body; what a body holds (a password sent as a form) is not said back.
    for (const body of ['password=hunter2-secret', '{"token": "hunter2-secret" x}', '"hunter2-secret']) {
      const quoted = await request(t.http)
        .post('/api/v1/probe/echo')
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expectErrorEnvelope(quoted.body, 'BAD_REQUEST');
      expect(JSON.stringify(quoted.body)).not.toContain('hunter2');
    }
  });

  it.each(['null', '"text"', '12', ' true'])(
    'answers the bare JSON value %s with what a body must be',
    async (body) => {
      const res = await request(t.http)
        .post('/api/v1/probe/echo')
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expectErrorEnvelope(res.body, 'BAD_REQUEST');
      expect(res.body.error.message).toBe('The request body must be a JSON object or array');
    },
  );

  it.each(['gzip', 'deflate', 'br'])(
    'answers a body that is not %s as it says with what went wrong',
    async (encoding) => {
      const res = await request(t.http)
        .post('/api/v1/probe/echo')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send('{"name": "a"}')
        .expect(400);
      expectErrorEnvelope(res.body, 'BAD_REQUEST');
      expect(res.body.error.message).toBe('The request body could not be decompressed as its Content-Encoding says');
    },
  );

  it('answers a body that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const text = await request(t.http).post('/api/v1/probe/echo').set('Content-Type', 'text/plain').send('name=a');
    expect(text.status).toBe(415);
    expectErrorEnvelope(text.body, 'UNSUPPORTED_MEDIA_TYPE');
    const form = await request(t.http).post('/api/v1/probe/echo').type('form').send({ name: 'a' });
    expect(form.status).toBe(415);
    expectErrorEnvelope(form.body, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body over BODY_LIMIT with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(t.http)
      .post('/api/v1/probe/echo')
      .send({ name: 'x'.repeat(4096) })
      .expect(413);
    expectErrorEnvelope(res.body, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses unknown and invalid fields with one JSON-pointer detail per field', async () => {
    const res = await request(t.http)
      .post('/api/v1/probe/echo')
      .send({ name: 42, extra: true, config: { precision: 99, more: 1 } })
      .expect(400);
    expectErrorEnvelope(res.body, 'VALIDATION_FAILED');
    const fields = (res.body.error.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['/config/more', '/config/precision', '/extra', '/name']);
  });

  it('pages lists and refuses a limit over 1000', async () => {
    const res = await request(t.http).get('/api/v1/probe/list?skip=10&limit=5').expect(200);
    expect(res.body.data).toEqual([110, 109, 108, 107, 106]);
    expect(res.body.meta).toEqual(expect.objectContaining({ total: 120, skip: 10, limit: 5 }));
    const defaults = await request(t.http).get('/api/v1/probe/list').expect(200);
    expect(defaults.body.meta).toEqual(expect.objectContaining({ skip: 0, limit: 50 }));
    const over = await request(t.http).get('/api/v1/probe/list?limit=1001').expect(400);
    expectErrorEnvelope(over.body, 'VALIDATION_FAILED');
    expect(over.body.error.details[0].field).toBe('/limit');
    // Decimal digits only: what Number() would also read is refused, as is an empty value.
    for (const query of ['limit=1e3', 'limit=0x10', 'limit=1.0', 'limit=', 'skip=1e2', 'skip=%201']) {
      const res = await request(t.http).get(`/api/v1/probe/list?${query}`).expect(400);
      expect(res.body.error.details).toEqual([
        { field: `/${query.split('=')[0]}`, message: expect.stringMatching(/must be an integer/) },
      ]);
    }
    const page = await request(t.http).get('/api/v1/probe/list?skip=2&limit=7').expect(200);
    expect(page.body.meta).toEqual(expect.objectContaining({ skip: 2, limit: 7 }));
  });

  it('answers an unexpected error with 500 INTERNAL and nothing of its internals', async () => {
    const res = await request(t.http).get('/api/v1/probe/boom').expect(500);
    expectErrorEnvelope(res.body, 'INTERNAL');
    const text = JSON.stringify(res.body);
    for (const leak of ['users_pkey', 'hunter2', 'SELECT', 'stack', '.ts:']) expect(text).not.toContain(leak);
  });

  it('answers a request running over REQUEST_TIMEOUT_MS with 504 TIMEOUT', async () => {
    const res = await request(t.http).get('/api/v1/probe/slow').expect(504);
    expectErrorEnvelope(res.body, 'TIMEOUT');
  });

  it('lets a stream run past REQUEST_TIMEOUT_MS once it has started', async () => {
    const { status, events } = await readSse(t.http, '/api/v1/probe/ticks', ['Accept', 'text/event-stream']);
    expect(status).toBe(200);
    expect(events.map((e) => e.data.n)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('audits a change with the id the handler returned before answering, and one made after its 504 as made', async () => {
    const made = await request(t.http).post('/api/v1/probe/things').set('X-Request-Id', 'probe-made').expect(201);
    expect(made.body.data.id).toMatch(UUID);
    // No service wrote the entry: it was written before the answer left.
    await t.chainAudit();
    expect(await t.dataSource.query(`SELECT outcome FROM audit_logs WHERE request_id = 'probe-made'`)).toEqual([
      { outcome: 'success' },
    ]);
    const slow = await request(t.http).post('/api/v1/probe/slow-things').set('X-Request-Id', 'probe-slow').expect(504);
    expectErrorEnvelope(slow.body, 'TIMEOUT');
    // The timed-out change's entry is written once its work ends, after the 504: wait for it to be chained.
    const rows = await waitFor(async () => {
      await t.chainAudit();
      const found: unknown[] = await t.dataSource.query(
        `SELECT request_id, action, outcome, resource_id, details FROM audit_logs
         WHERE request_id IN ('probe-made', 'probe-slow') ORDER BY request_id`,
      );
      return found.length >= 2 && found;
    });
    expect(rows).toEqual([
      {
        request_id: 'probe-made',
        action: 'probe.make',
        outcome: 'success',
        resource_id: made.body.data.id,
        details: {},
      },
      {
        request_id: 'probe-slow',
        action: 'probe.makeSlowly',
        outcome: 'success',
        resource_id: expect.stringMatching(UUID),
        details: {},
      },
    ]);
  });

  it('audits a change whose work never ends as the timeout, ten deadlines after its 504', async () => {
    const res = await request(t.http).post('/api/v1/probe/stuck-things').set('X-Request-Id', 'probe-stuck').expect(504);
    expectErrorEnvelope(res.body, 'TIMEOUT');
    const rows = await waitFor(async () => {
      await t.chainAudit();
      const found: unknown[] = await t.dataSource.query(
        `SELECT action, outcome, details FROM audit_logs WHERE request_id = 'probe-stuck'`,
      );
      return found.length > 0 && found;
    });
    expect(rows).toEqual([{ action: 'probe.makeStuck', outcome: 'failure', details: { error: 'TIMEOUT' } }]);
  });

  it('audits a route whose handler records its own entry: success, bad body, error, timeout', async () => {
    const post = (requestId: string, body: object, outcome?: string) =>
      request(t.http)
        .post(`/api/v1/probe/explicit-things${outcome ? `?outcome=${outcome}` : ''}`)
        .set('X-Request-Id', requestId)
        .send(body);
    const made = await post('explicit-made', { name: 'a' }).expect(201);
    expect(made.body.data).toEqual({ id: expect.stringMatching(UUID), name: 'a' });
    expectErrorEnvelope((await post('explicit-bad-body', { name: 5 }).expect(400)).body, 'VALIDATION_FAILED');
    expectErrorEnvelope((await post('explicit-conflict', { name: 'b' }, 'conflict').expect(409)).body, 'CONFLICT');
    expectErrorEnvelope((await post('explicit-late', { name: 'c' }, 'late').expect(504)).body, 'TIMEOUT');
    const lateMade = await post('explicit-late-made', { name: 'd' }, 'late-made').expect(504);
    expect(lateMade.body.error.message).toMatch(/may still complete/);
    // The late requests' handlers end after their 504s: one fails (its entry is the timeout the caller got),
    // the other makes its change (its own entry, and no failure beside it).
    await new Promise((resolve) => setTimeout(resolve, 700));
    await t.chainAudit();
    const rows: unknown[] = await t.dataSource.query(
      `SELECT request_id, action, outcome, resource_type, resource_id, details FROM audit_logs
       WHERE request_id LIKE 'explicit-%' ORDER BY seq`,
    );
    const entry = (requestId: string, outcome: string, details: object, resourceId: string | null = null) => ({
      request_id: requestId,
      action: 'probe.makeExplicitly',
      outcome,
      resource_type: 'thing',
      resource_id: resourceId,
      details,
    });
    expect(rows).toEqual([
      entry('explicit-made', 'success', {}, made.body.data.id),
      entry('explicit-bad-body', 'failure', { error: 'VALIDATION_FAILED' }),
      entry('explicit-conflict', 'failure', { error: 'CONFLICT' }),
      entry('explicit-late', 'failure', { error: 'TIMEOUT' }),
      entry('explicit-late-made', 'success', {}, expect.stringMatching(UUID)),
    ]);
  });

  it('sends the security headers and hides the framework', async () => {
    const res = await request(t.http).get('/api/v1/probe/list').expect(200);
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
    // Headers for HTML documents only stay off JSON responses; the docs pages keep them.
    expect(res.headers['x-xss-protection']).toBeUndefined();
    expect(res.headers['origin-agent-cluster']).toBeUndefined();
    expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
    const docs = await request(t.http).get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(docs.headers['origin-agent-cluster']).toBe('?1');
    expect(docs.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers CORS for the configured origins only, and sends CORS headers only to cross-origin requests', async () => {
    const allowed = await request(t.http).get('/api/v1/probe/list').set('Origin', APP_ORIGIN).expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers['access-control-expose-headers']).toContain('X-Request-Id');
    expect(allowed.headers['vary']).toContain('Origin');

    const other = await request(t.http).get('/api/v1/probe/list').set('Origin', 'https://other.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-credentials']).toBeUndefined();
    const otherPreflight = await request(t.http)
      .options('/api/v1/probe/list')
      .set('Origin', 'https://other.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(otherPreflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(otherPreflight.headers['access-control-allow-credentials']).toBeUndefined();

    const sameOrigin = await request(t.http).get('/api/v1/probe/list').expect(200);
    expect(sameOrigin.headers['access-control-allow-origin']).toBeUndefined();
    expect(sameOrigin.headers['access-control-expose-headers']).toBeUndefined();
    expect(sameOrigin.headers['vary']).toContain('Origin');

    const preflight = await request(t.http)
      .options('/api/v1/probe/echo')
      .set('Origin', APP_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,authorization')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
  });

  it('answers what the HTTP parser refuses (headers too large, malformed HTTP) in the error envelope', async () => {
    const long = await rawHttp(t, `GET /api/v1/tasks?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(long.status).toBe(431);
    expectErrorEnvelope(long.body, 'BAD_REQUEST');
    const header = await rawHttp(t, `GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(header.status).toBe(431);
    const malformed = await rawHttp(t, 'GET /api/v1/tasks HTTP/1.1\r\nHost x\r\n\r\n');
    expect(malformed.status).toBe(400);
    expectErrorEnvelope(malformed.body, 'BAD_REQUEST');
  });

  // Last: the app stays in its shutdown from here on.
  it('closes each connection after its answer once the shutdown has begun, keep-alive or not', async () => {
    const server = t.app.getHttpServer();
    if (!server.address()) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ connection?: string; socket: unknown }>((resolve, reject) => {
        const req = httpGet(
          { host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/api/v1/probe/list', agent },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ connection: res.headers.connection, socket: req.socket }));
          },
        );
        req.on('error', reject);
      });
    try {
      const before = await get();
      expect(before.connection).toBe('keep-alive');
      t.app.get(ShutdownDeadline).begin();
      const during = await get();
      // The same connection, still served, and told to close.
      expect(during.socket).toBe(before.socket);
      expect(during.connection).toBe('close');
    } finally {
      agent.destroy();
    }
  });
});
