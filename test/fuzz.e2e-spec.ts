import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * Property: whatever a client sends to any operation of the OpenAPI document (valid-ish values from its
 * schemas mixed with hostile ones), the answer is never a 5xx other than 503/504. A failure prints the
 * seed and the shrunk request; `FUZZ_SEED=<seed> FUZZ_RUNS=<n>` reproduces it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}
interface Operation {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  parameters: Parameter[];
  body?: Schema;
  streams: boolean;
}
interface FuzzRequest {
  op: string;
  method: Operation['method'];
  url: string;
  /** Raw JSON text, or undefined for no body. */
  body?: string;
  auth: boolean;
}

function nested(depth: number): string {
  return '['.repeat(depth) + '0' + ']'.repeat(depth);
}

/** Values no field should choke on. */
const HOSTILE_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e20,
  -1e20,
  2 ** 31,
  2 ** 53 + 1,
  1.5,
  'NaN',
  'Infinity',
  '1e20',
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  'x\ud800',
  '\udc00y',
  'a'.repeat(10_000),
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20',
  '0000-00-00',
  '2024-02-30T25:61:00Z',
  'not-a-uuid',
  '00000000-0000-0000-0000-00000000000g',
  '%E0%A4%A',
  '{{ $eval("1") }}',
  "'; DROP TABLE tasks; --",
  true,
  [],
  [[]],
  [[{}]],
  [null],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  [1, 'a', null, {}],
];
const hostile = fc.constantFrom(...HOSTILE_VALUES);

/** Raw text for a query value or path segment, some of it not valid percent-encoding on purpose. */
const RAW_URL_JUNK = ['%00', '%E0%A4%A', '%ED%A0%80', '%', '%%', '%zz', '..%2F..%2Fetc', '%C0%AF', '1e20', '-1', 'NaN'];

function encode(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  // encodeURIComponent refuses lone surrogates: those are sent as their (invalid) UTF-8 bytes instead.
  return [...text]
    .map((ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return '%ED%A0%80';
      }
    })
    .join('');
}

class OpenApi {
  constructor(
    private readonly doc: {
      paths: Record<string, Record<string, unknown>>;
      components?: { schemas?: Record<string, Schema> };
    },
  ) {}

  resolve(schema: Schema | undefined, depth = 0): Schema | undefined {
    if (!schema || depth > 8) return schema;
    if (schema.$ref) return this.resolve(this.doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''], depth + 1);
    if (schema.allOf?.length) {
      const parts = schema.allOf.map((s) => this.resolve(s, depth + 1) ?? {});
      return {
        type: 'object',
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})) as Record<string, Schema>,
        required: parts.flatMap((p) => p.required ?? []),
      };
    }
    return schema;
  }

  operations(): Operation[] {
    const ops: Operation[] = [];
    for (const [path, item] of Object.entries(this.doc.paths)) {
      for (const [method, raw] of Object.entries(item)) {
        if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
        const op = raw as {
          parameters?: Parameter[];
          requestBody?: { content?: Record<string, { schema?: Schema }> };
          responses?: Record<string, { content?: Record<string, unknown> }>;
        };
        const streams = Object.values(op.responses ?? {}).some((r) => r.content && 'text/event-stream' in r.content);
        ops.push({
          method: method as Operation['method'],
          path,
          parameters: (op.parameters ?? []).filter((p) => p.in !== 'header'),
          body: this.resolve(op.requestBody?.content?.['application/json']?.schema),
          streams,
        });
      }
    }
    return ops;
  }

  /** Values from a schema, now and then replaced by a hostile one. */
  value(schema: Schema | undefined, ids: string[], depth = 0): fc.Arbitrary<unknown> {
    return fc.oneof(
      { weight: 8, arbitrary: this.validish(this.resolve(schema), ids, depth) },
      { weight: 1, arbitrary: hostile },
    );
  }

  private validish(schema: Schema | undefined, ids: string[], depth: number): fc.Arbitrary<unknown> {
    if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
    if (schema.enum?.length) return fc.constantFrom(...schema.enum);
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants?.length) return fc.oneof(...variants.map((s) => this.value(s, ids, depth + 1)));
    switch (schema.type) {
      case 'string':
        if (schema.format === 'uuid') return fc.oneof(fc.constantFrom(...ids), fc.uuid());
        if (schema.format === 'date-time') {
          return fc
            .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
            .map((d) => d.toISOString());
        }
        if (schema.format === 'email') return fc.emailAddress();
        return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 300) });
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.value(schema.items, ids, depth + 1), { maxLength: 4 });
      case 'object': {
        const props = schema.properties ?? {};
        const required = new Set(schema.required ?? []);
        const keys = Object.keys(props);
        if (keys.length === 0)
          return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
        return fc.record(Object.fromEntries(keys.map((k) => [k, this.value(props[k], ids, depth + 1)])), {
          requiredKeys: keys.filter((k) => required.has(k)),
        });
      }
      default:
        return fc.jsonValue({ maxDepth: 3 });
    }
  }
}

function requestFor(api: OpenApi, op: Operation, ids: string[]): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  // Streams of a resource that exists stay open: those get only ids that do not.
  const knownIds = op.streams ? [randomUUID()] : ids;
  const pathValue = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...knownIds) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_URL_JUNK, 'not-a-uuid', 'a'.repeat(300)) },
  );
  const queryValue = (p: Parameter) =>
    fc.oneof(
      { weight: 4, arbitrary: api.value(p.schema, ids).map(encode) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_JUNK) },
    );
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, queryValue(p)])), { requiredKeys: [] });
  const extraQuery = fc.option(
    fc.constantFrom('extra=1', 'skip=1e20', 'limit=-1', '%00=1', 'a[b]=c', 'skip=1&skip=2'),
    {
      freq: 5,
    },
  );
  const bodyText: fc.Arbitrary<string | undefined> = !op.body
    ? fc.option(fc.constantFrom('{}', '[]', 'null'), { freq: 4 })
    : fc.oneof(
        { weight: 6, arbitrary: api.value(op.body, ids).map((v) => JSON.stringify(v) ?? 'null') },
        {
          weight: 1,
          arbitrary: api
            .value(op.body, ids)
            .chain((v) =>
              fc.constantFrom(
                JSON.stringify({ ...(typeof v === 'object' && v !== null ? v : {}), extra: 1 }),
                JSON.stringify([v, v]),
              ),
            ),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            `{"a":${nested(3000)}}`,
            `{"input":${nested(70)}}`,
            '{"name":"\\u0000"}',
            '{"name":"\\ud800"}',
            '{"\\u0000":1}',
            '{"tasks":[[{"agentId":"x"}]]}',
            '{"steps":[[]]}',
            '{',
            '"text"',
            '1e400',
            `{"name":"${'x'.repeat(100_000)}"}`,
          ),
        },
      );
  return fc
    .record({
      path: fc.tuple(...pathParams.map(() => pathValue)),
      query,
      extraQuery,
      body: bodyText,
      auth: fc.boolean().map((b) => b || Math.random() < 0.8),
    })
    .map(({ path, query: q, extraQuery: extra, body, auth }) => {
      let url = op.path;
      pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, path[i])));
      const pairs = Object.entries(q).map(([k, v]) => `${k}=${v}`);
      if (extra) pairs.push(extra);
      if (pairs.length) url += `?${pairs.join('&')}`;
      return { op: `${op.method.toUpperCase()} ${op.path}`, method: op.method, url, body, auth };
    });
}

describe('Fuzzing every operation of the OpenAPI document', () => {
  let t: TestApp;
  let admin: TestUser;
  let ids: string[];

  beforeAll(async () => {
    t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '10000' } });
    const op = await createUser(t, 'operator');
    const victim = await createUser(t, 'viewer');
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await request(t.http)
      .post('/api/v1/tasks')
      .set(...bearer(op))
      .send({ agentId: agent.id, input: { expression: '1 + 1' } });
    const workflow = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(op))
      .send({ name: 'w', steps: [{ id: 'a', agentId: agent.id, input: { expression: '2' } }] });
    ids = [agent.id, victim.id, task.body.data.id, workflow.body.data.id].filter((id): id is string => !!id);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 30_000);

  it('answers every request with anything but a 5xx other than 503/504', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const api = new OpenApi(doc);
    const ops = api.operations();
    expect(ops.length).toBeGreaterThan(30);
    const arbitrary = fc.oneof(...ops.map((op) => requestFor(api, op, ids)));
    process.stdout.write(
      `fuzz: ${ops.length} operations, ${RUNS} runs, seed ${SEED} (FUZZ_SEED=${SEED} to reproduce)\n`,
    );

    let sent = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(arbitrary, async (req) => {
        // A new token now and then: a fuzzed request may have changed the admin's sessions.
        if (++sent % 250 === 0) admin = await login(t.http, ADMIN.email, ADMIN.password);
        let r = request(t.http)[req.method](req.url);
        if (req.auth) r = r.set(...bearer(admin));
        if (req.body !== undefined) r = r.set('Content-Type', 'application/json').send(req.body);
        const res = await r;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500 && res.status !== 503 && res.status !== 504) {
          throw new Error(`${req.op}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
      { numRuns: RUNS, seed: SEED, verbose: 1 },
    );
    process.stdout.write(
      `fuzz: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`,
    );
  }, 600_000);
});
