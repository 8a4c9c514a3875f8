import request from 'supertest';
import { calculatorTestBed } from './factories/tasks';
import { bearer, type TestUser } from './factories/users';
import { type TestApp } from './utils/test-app';

/** JSON bodies are read as UTF-8: bytes that are not are refused, never replaced with U+FFFD. */
describe('request bodies that are not UTF-8', () => {
  let t: TestApp;
  let op: TestUser;
  let calc: string;

  beforeAll(async () => {
    ({ t, op, calc } = await calculatorTestBed());
  });
  afterAll(() => t?.close());

  /** Sends a Buffer body as its bytes (supertest would write a JSON body's Buffer as `{type, data}`). */
  const raw = (bytes: unknown): string => bytes as string;
  const taskCount = async (): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM tasks WHERE agent_id = $1`, [calc]))[0].n;
  const body = (expression: Buffer) =>
    Buffer.concat([Buffer.from(`{"agentId":"${calc}","input":{"expression":"`), expression, Buffer.from('"}}')]);

  it('refuses a task whose body holds bytes that are not UTF-8 with 400, storing nothing', async () => {
    const before = await taskCount();
    for (const bad of [Buffer.from([0x31, 0x2b, 0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80])]) {
      const res = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Content-Type', 'application/json')
        .serialize(raw)
        .send(body(bad))
        .expect(400);
      expect(res.body.error).toEqual({ code: 'BAD_REQUEST', message: 'The request body is not UTF-8' });
    }
    expect(await taskCount()).toBe(before);
    // UTF-8 of any width (é, €, 𝟙), with a byte order mark or not, is read as it was sent.
    for (const prefix of [Buffer.alloc(0), Buffer.from([0xef, 0xbb, 0xbf])]) {
      const res = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .set('Content-Type', 'application/json; charset=utf-8')
        .serialize(raw)
        .send(Buffer.concat([prefix, body(Buffer.from('1 + 1 ', 'utf8'))]))
        .expect(202);
      expect(res.body.data.input).toEqual({ expression: '1 + 1 ' });
    }
    const named = await request(t.http)
      .post('/api/v1/agents')
      .set(...bearer(op))
      .set('Content-Type', 'application/json')
      .serialize(raw)
      .send(Buffer.from(JSON.stringify({ name: 'utf8-agent', type: 'calculator', description: 'é € 𝟙' }), 'utf8'))
      .expect(201);
    expect(named.body.data.description).toBe('é € 𝟙');
  });

  it('refuses a hook call whose body is not UTF-8, starting nothing', async () => {
    const hook = await request(t.http)
      .post('/api/v1/hooks')
      .set(...bearer(op))
      .send({ name: 'bytes', target: { agentId: calc }, auth: 'bearer', inputTemplate: { expression: '{{ body.e }}' } })
      .expect(201);
    const before = await taskCount();
    const res = await request(t.http)
      .post(`/api/v1/hooks/${hook.body.data.id}`)
      .set('Authorization', `Bearer ${hook.body.data.secret}`)
      .set('Content-Type', 'application/json')
      .serialize(raw)
      .send(Buffer.concat([Buffer.from('{"e":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]))
      .expect(400);
    expect(res.body.error).toEqual({ code: 'BAD_REQUEST', message: 'The request body is not UTF-8' });
    expect(await taskCount()).toBe(before);
  });
});
