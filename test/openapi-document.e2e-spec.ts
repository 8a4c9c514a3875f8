import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { ERROR_STATUS, ErrorCode } from '../src/common/errors/error-code';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

type Schema = Record<string, unknown>;
interface Response {
  $ref?: string;
  headers?: Record<string, { schema?: Schema }>;
  content?: Record<string, { schema?: Schema; examples?: Record<string, Example> }>;
}
interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: Schema }[];
  responses: Record<string, Response>;
}
interface Example {
  value: { status: string; error: { code: string } };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response> };
}

/** OpenAPI 3.0 → JSON Schema, strictly (3.0.3): `nullable` adds `null` to a `type` beside it, else does nothing. */
function jsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Schema;
  const out = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', 'doc#/definitions/')
        : key === 'example' || key === 'examples'
          ? value
          : jsonSchema(value),
    ]),
  );
  return nullable === true && typeof out.type === 'string' ? { ...out, type: [out.type, 'null'] } : out;
}

/** The documented schemas, with every mention of an empty-looking object (`{type: object}` and nothing more). */
function closedObjects(node: unknown, path: string, found: string[]): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => closedObjects(n, `${path}/${i}`, found));
  else if (typeof node === 'object' && node !== null) {
    const schema = node as Schema;
    const shaped = ['properties', 'additionalProperties', 'allOf', 'anyOf', 'oneOf', '$ref', 'enum'].some(
      (k) => k in schema,
    );
    if (schema.type === 'object' && !shaped) found.push(path);
    for (const [key, value] of Object.entries(schema)) {
      if (key !== 'example' && key !== 'examples') closedObjects(value, `${path}/${key}`, found);
    }
  }
  return found;
}

describe('the OpenAPI document, as generated clients read it', () => {
  let t: TestApp;
  let doc: Document;
  let admin: TestUser;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await request(t.http).get('/docs-json').expect(200)).body as Document;
    ajv.addSchema({ definitions: jsonSchema(doc.components.schemas) }, 'doc');
    admin = await login(t.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations = (): [string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]),
    );

  const get = (path: string) =>
    request(t.http)
      .get(path)
      .set(...bearer(admin));
  const post = (path: string, body: object) =>
    request(t.http)
      .post(path)
      .set(...bearer(admin))
      .send(body);

  /** Checks a real answer against what the document says this route answers with this status. */
  function conforms(route: string, status: number, body: unknown): void {
    const [method, path] = route.split(' ');
    const schema =
      doc.paths[path]?.[method.toLowerCase()]?.responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${route} documents no JSON body for ${status}`);
    const validate: ValidateFunction = ajv.compile(jsonSchema(schema) as Schema);
    const valid = validate(body);
    expect({ route, status, errors: valid ? [] : validate.errors }).toEqual({ route, status, errors: [] });
  }

  it('lists X-API-Key among the credentials of exactly the reads that take one', async () => {
    // A key with every scope its admin holds, so that a refusal can only be of keys as such.
    const { permissions } = (
      await request(t.http)
        .get('/api/v1/auth/me')
        .set(...bearer(admin))
        .expect(200)
    ).body.data as { permissions: string[] };
    const created = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(admin))
      .send({ name: 'every scope', scopes: permissions })
      .expect(201);
    const key = created.body.data.key as string;
    const wrong: string[] = [];
    for (const [route, op] of operations()) {
      const [method, path] = route.split(' ');
      if (method !== 'GET' || path.includes('{') || !path.startsWith('/api/v1/') || !op.security) continue;
      if (path.endsWith('/events')) continue;
      const documented = op.security.some((credential) => 'apiKey' in credential);
      const res = await request(t.http).get(path).set('X-API-Key', key);
      if (documented !== res.status < 400) wrong.push(`${route}: documented ${documented}, answered ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('declares what each path parameter takes, and the API refuses an id that is not one', async () => {
    const undeclared: string[] = [];
    const answers: string[] = [];
    const other = '00000000-0000-4000-8000-000000000000';
    for (const [route, op] of operations()) {
      const [method, path] = route.split(' ');
      const params = (op.parameters ?? []).filter((p) => p.in === 'path');
      for (const p of params) if (!p.schema?.format && !p.schema?.pattern) undeclared.push(`${route} ${p.name}`);
      for (const tried of params.filter((p) => p.schema?.format === 'uuid')) {
        const url = params.reduce(
          (at, p) => at.replace(`{${p.name}}`, p === tried ? 'not-an-id' : p.schema?.format ? other : 'step'),
          path,
        );
        const res = await request(t.http)
          [method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete'](url)
          .set(...bearer(admin))
          .send(method === 'GET' || method === 'DELETE' ? undefined : {});
        // An inbound hook's address tells a caller nothing about which ids exist: anything else is "no hook".
        const expected = path === '/api/v1/hooks/{hookId}' ? 401 : 400;
        answers.push(
          `${route} ${tried.name}: ${res.status} ${(res.body as { error?: { code?: string } }).error?.code}`,
        );
        expect(`${route} ${tried.name}: ${res.status}`).toBe(`${route} ${tried.name}: ${expected}`);
        const error = (res.body as { error: { code: string; details?: unknown } }).error;
        // (A body checked before the path is refused by its own rules, VALIDATION_FAILED.)
        if (error.code === 'BAD_REQUEST')
          expect(error.details).toEqual([{ field: 'path', message: `${tried.name} must be a UUID` }]);
      }
    }
    expect(undeclared).toEqual([]);
    expect(answers.length).toBeGreaterThan(40);
  });

  it('gives every operation a readable, unique operationId', () => {
    const ids = operations().map(([route, op]) => ({ route, id: op.operationId ?? '' }));
    expect(ids.filter(({ id }) => !/^[a-z][A-Za-z0-9]+$/.test(id))).toEqual([]);
    const seen = new Map<string, string[]>();
    for (const { route, id } of ids) seen.set(id, [...(seen.get(id) ?? []), route]);
    expect([...seen].filter(([, routes]) => routes.length > 1)).toEqual([]);
    expect(Object.fromEntries(ids.map(({ route, id }) => [route, id]))).toEqual(
      expect.objectContaining({
        'GET /api/v1/tasks': 'listTasks',
        'GET /api/v1/tasks/{id}': 'getTask',
        'POST /api/v1/tasks': 'submitTask',
        'POST /api/v1/tasks/batch': 'submitTaskBatch',
        'POST /api/v1/tasks/{id}/cancel': 'cancelTask',
        'POST /api/v1/agents': 'createAgent',
        'GET /api/v1/agent-types': 'listAgentTypes',
        'POST /api/v1/auth/login': 'login',
        'GET /api/v1/audit-logs/verify': 'verifyAuditChain',
        'GET /health/live': 'getLiveness',
        'GET /metrics': 'getMetrics',
      }),
    );
  });

  it('documents no object that can hold nothing: free-form JSON is free-form', () => {
    expect(closedObjects(doc.components.schemas, '#/components/schemas', [])).toEqual([]);
    expect(closedObjects(doc.paths, '#/paths', [])).toEqual([]);
  });

  it('lets task and workflow input and output carry any properties', () => {
    const anyObject = { expression: '1+2', variables: { x: 1 }, extra: [true, null, 'text'] };
    const fields: [string, string][] = [
      ['CreateTaskDto', 'input'],
      ['CreateTaskDto', 'metadata'],
      ['TaskDto', 'input'],
      ['TaskDto', 'output'],
      ['TaskDto', 'metadata'],
      ['WorkflowStepDto', 'input'],
      ['StartRunDto', 'input'],
      ['WorkflowRunDto', 'input'],
      ['WorkflowRunDto', 'output'],
      ['RunStepDto', 'output'],
      ['AgentCheckpointDto', 'state'],
      ['CreateAgentDto', 'config'],
      ['AgentDto', 'config'],
      ['AuditLogEntity', 'details'],
    ];
    for (const [model, field] of fields) {
      const schema = (doc.components.schemas[model].properties as Record<string, Schema>)[field];
      expect({ model, field, valid: ajv.validate(jsonSchema(schema) as Schema, anyObject) }).toEqual({
        model,
        field,
        valid: true,
      });
    }
    // Where any JSON value is taken, an array or a number is one too.
    for (const [model, field] of [
      ['CreateTaskDto', 'input'],
      ['TaskDto', 'output'],
    ]) {
      const schema = jsonSchema((doc.components.schemas[model].properties as Record<string, Schema>)[field]) as Schema;
      expect(ajv.validate(schema, [1, 2])).toBe(true);
      expect(ajv.validate(schema, 42)).toBe(true);
    }
  });

  it('shows, for each error response, examples whose code is sent with that status', async () => {
    const wrong: string[] = [];
    for (const [route, op] of operations()) {
      for (const [status, listed] of Object.entries(op.responses)) {
        if (Number(status) < 400 || route.includes(' /health')) continue;
        // Answers any operation may give are named once, under components.responses.
        const response = listed.$ref ? doc.components.responses[listed.$ref.split('/').pop()!] : listed;
        const examples = Object.values(response.content?.['application/json']?.examples ?? {});
        if (examples.length === 0) wrong.push(`${route} ${status}: no example`);
        for (const example of examples) {
          const code = example.value.error.code as ErrorCode;
          if (ERROR_STATUS[code] !== Number(status)) wrong.push(`${route} ${status}: example ${code}`);
          const validate = ajv.compile({ $ref: 'doc#/definitions/ErrorEnvelopeDto' });
          if (!validate(example.value)) wrong.push(`${route} ${status}: example ${code} is not an error envelope`);
        }
      }
    }
    expect(wrong).toEqual([]);
    const examplesOf = (route: string, status: number) => {
      const [method, path] = route.split(' ');
      const content = doc.paths[path][method.toLowerCase()].responses[String(status)].content?.['application/json'];
      return Object.values(content?.examples ?? {}).map((e) => e.value.error.code);
    };
    expect(examplesOf('GET /api/v1/tasks', 401)).toEqual([ErrorCode.UNAUTHENTICATED]);
    expect(examplesOf('GET /api/v1/tasks', 403)).toEqual([ErrorCode.FORBIDDEN]);
    expect(examplesOf('GET /api/v1/tasks', 429)).toEqual([ErrorCode.RATE_LIMITED]);
    // Any operation: a bad URL, an outage, a timeout; with a body, one too large or not JSON.
    expect(examplesOf('GET /api/v1/tasks', 400)).toEqual([ErrorCode.VALIDATION_FAILED, ErrorCode.BAD_REQUEST]);
    expect(doc.paths['/api/v1/tasks/{id}'].get.responses['503']).toEqual({
      $ref: '#/components/responses/ServiceUnavailable',
    });
    expect(Object.keys(doc.paths['/api/v1/agents'].post.responses)).toEqual(
      expect.arrayContaining(['400', '413', '415', '503', '504']),
    );
    // A body sent to an operation that takes none is read, and refused, all the same.
    expect(Object.keys(doc.paths['/api/v1/tasks/{id}/cancel'].post.responses)).toEqual(
      expect.arrayContaining(['413', '415']),
    );
    const cancel = await request(t.http)
      .post(`/api/v1/tasks/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/cancel`)
      .set(...bearer(admin))
      .type('text')
      .send('not json');
    expect(cancel.status).toBe(415);
    expect(examplesOf('POST /api/v1/tasks', 422)).toEqual([ErrorCode.IDEMPOTENCY_CONFLICT]);
    expect(examplesOf('POST /api/v1/auth/login', 401).sort()).toEqual([
      ErrorCode.MFA_REQUIRED,
      ErrorCode.UNAUTHENTICATED,
    ]);
  });

  it('declares Retry-After (whole seconds) on every 429 and 503 it documents', async () => {
    const missing: string[] = [];
    for (const [route, op] of operations()) {
      // The probes answer in the health check's own shape, for orchestrators that do not retry on a header.
      if (route.includes(' /health')) continue;
      for (const status of ['429', '503']) {
        const listed = op.responses[status];
        if (!listed) continue;
        const response = listed.$ref ? doc.components.responses[listed.$ref.split('/').pop()!] : listed;
        if (response.headers?.['Retry-After']?.schema?.type !== 'integer') missing.push(`${route} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    expect(doc.paths['/api/v1/tasks'].get.responses['429']).toBeDefined();
  });

  it('documents agent types, batches and attempts as arrays, and the API answers arrays', async () => {
    const dataOf = (route: string, status: number) => {
      const [method, path] = route.split(' ');
      const content = doc.paths[path][method.toLowerCase()].responses[String(status)].content?.['application/json'];
      return (content?.schema?.properties as Record<string, Schema>).data;
    };
    expect(dataOf('GET /api/v1/agent-types', 200)).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/AgentTypeDto' },
    });
    expect(dataOf('POST /api/v1/tasks/batch', 202)).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/TaskDto' },
    });
    expect(dataOf('GET /api/v1/tasks/{id}/attempts', 200)).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/TaskAttemptDto' },
    });

    const types = await get('/api/v1/agent-types').expect(200);
    expect(Array.isArray(types.body.data)).toBe(true);
    conforms('GET /api/v1/agent-types', 200, types.body);

    const agent = await createAgent(t, admin, { type: 'calculator' });
    const batch = await request(t.http)
      .post('/api/v1/tasks/batch')
      .set(...bearer(admin))
      .send({ tasks: [{ agentId: agent.id, input: { expression: '1+2' } }] })
      .expect(202);
    expect(Array.isArray(batch.body.data)).toBe(true);
    conforms('POST /api/v1/tasks/batch', 202, batch.body);

    const done = await settled(t, admin, batch.body.data[0].id);
    expect(done.output).toEqual({ result: 3 });
    const attempts = await request(t.http)
      .get(`/api/v1/tasks/${done.id}/attempts`)
      .set(...bearer(admin))
      .expect(200);
    expect(attempts.body.data).toHaveLength(1);
    conforms('GET /api/v1/tasks/{id}/attempts', 200, attempts.body);
  });

  it('documents the nulls and the answers of config changes as strict OpenAPI 3.0 reads them', async () => {
    const agent = await createAgent(t, admin, { type: 'calculator' });
    const path = `/api/v1/agents/${agent.id}/config`;
    conforms('POST /api/v1/agents/{id}/config', 200, (await post(path, { config: { precision: 4 } })).body);
    conforms('POST /api/v1/agents/{id}/config/rollback', 200, (await post(`${path}/rollback`, { version: 1 })).body);
    // A task's error null, then an object; a run's approval step with no permission and no decision yet.
    const failed = await submitTask(t, admin, { agentId: agent.id, input: { expression: '1/' }, maxAttempts: 1 });
    conforms('GET /api/v1/tasks/{id}', 200, (await get(`/api/v1/tasks/${failed.id}`)).body);
    await settled(t, admin, failed.id);
    conforms('GET /api/v1/tasks/{id}', 200, (await get(`/api/v1/tasks/${failed.id}`)).body);
    const steps = [{ id: 'ok', kind: 'approval' }];
    const workflow = await post('/api/v1/workflows', { name: 'approve', steps });
    const run = await post(`/api/v1/workflows/${workflow.body.data.id}/runs`, { input: {} });
    conforms('GET /api/v1/workflow-runs/{runId}', 200, (await get(`/api/v1/workflow-runs/${run.body.data.id}`)).body);
    // Stats without system:read: the queue is null.
    const operator = await createUser(t, 'operator');
    const stats = await request(t.http)
      .get('/api/v1/stats')
      .set(...bearer(operator));
    expect(stats.body.data.queue).toBeNull();
    conforms('GET /api/v1/stats', 200, stats.body);
  });

  it('documents what the other routes answer', async () => {
    const agent = await createAgent(t, admin, { type: 'calculator' });
    const task = await submitTask(t, admin, { agentId: agent.id, input: { expression: '6*7' }, metadata: { a: 1 } });
    const finished = await request(t.http)
      .get(`/api/v1/tasks/${(await settled(t, admin, task.id)).id}`)
      .set(...bearer(admin));
    conforms('GET /api/v1/tasks/{id}', 200, finished.body);
    const list = await request(t.http)
      .get('/api/v1/tasks')
      .set(...bearer(admin));
    conforms('GET /api/v1/tasks', 200, list.body);
    const schema = await request(t.http)
      .get(`/api/v1/agents/${agent.id}/schema`)
      .set(...bearer(admin));
    conforms('GET /api/v1/agents/{id}/schema', 200, schema.body);
    const checkpoint = await request(t.http)
      .get(`/api/v1/agents/${agent.id}/checkpoint`)
      .set(...bearer(admin));
    conforms('GET /api/v1/agents/{id}/checkpoint', 200, checkpoint.body);
    const vital = await request(t.http).post('/api/v1/metrics/frontend').send({ name: 'LCP', value: 1200, id: 'v1-1' });
    conforms('POST /api/v1/metrics/frontend', 202, vital.body);
    const workflow = await request(t.http)
      .post('/api/v1/workflows')
      .set(...bearer(admin))
      .send({ name: 'one step', steps: [{ id: 'calc', agentId: agent.id, input: { expression: '1+1' } }] });
    conforms('POST /api/v1/workflows', 201, workflow.body);
    const run = await request(t.http)
      .post(`/api/v1/workflows/${workflow.body.data.id}/runs`)
      .set(...bearer(admin))
      .send({ input: { any: ['thing'] } });
    conforms('POST /api/v1/workflows/{id}/runs', 202, run.body);
    const verify = await request(t.http)
      .get('/api/v1/audit-logs/verify')
      .set(...bearer(admin));
    conforms('GET /api/v1/audit-logs/verify', 200, verify.body);
    const me = await request(t.http)
      .get('/api/v1/auth/me')
      .set(...bearer(admin));
    conforms('GET /api/v1/auth/me', 200, me.body);
    const live = await request(t.http).get('/health/live');
    conforms('GET /health/live', 200, live.body);
    const ready = await request(t.http).get('/health/ready');
    conforms('GET /health/ready', 200, ready.body);
    const denied = await request(t.http).get('/api/v1/tasks');
    conforms('GET /api/v1/tasks', 401, denied.body);
    expect(denied.body.error.code).toBe(ErrorCode.UNAUTHENTICATED);
  });
});
