import request from 'supertest';
import { bearer, createUser, type TestUser } from './factories/users';
import { buildApp, processEnv, type RunningProcess, startProcess } from './utils/built-app';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * Objects with keys named as the members every object inherits (`hasOwnProperty`, `valueOf`, `toString`…) or
 * `__proto__`, each holding an object or an array, at every depth: written as JSON is parsed (own keys), so that
 * what is stored, shown and run is what was sent. Parsed, not written as literals: `{ __proto__: … }` in code sets
 * a prototype instead. (An object with its own `constructor` key is one apart: none of the others has one.)
 */
const AWKWARD = JSON.parse(
  '[{"k":1,"valueOf":{"a":1},"meta":{"hasOwnProperty":{"b":[2]},"toString":[1,2]}},' +
    '{"__proto__":{"d":4},"isPrototypeOf":{"e":{"valueOf":{"f":5}}}},' +
    '{"list":[{"propertyIsEnumerable":{"g":6}}]},{"constructor":{"c":3}}]',
) as Record<string, unknown>[];

/** A value as it is sent over the wire, its keys sorted at every depth (jsonb keeps its own order). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Through the built API in a process of its own: in Jest's sandbox an object parsed by one realm is not a plain
 * object to another, and TypeORM then writes it whole by reference, which would hide a loss.
 */
describe('JSON values are stored whole, whatever their keys are named', () => {
  let t: TestApp;
  let api: RunningProcess;
  let url: string;
  let op: TestUser;
  /** A data-processor: its input's records may be any objects. */
  let agentId: string;
  let input: { records: unknown[] };

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    buildApp();
    api = startProcess(processEnv(t.env, { PORT: '0', APP_ROLE: 'api', LOG_LEVEL: 'warn' }));
    [, url] = await api.waitFor(/listening on (http:\/\/\S+)\/api\/v1/, 60_000);
    agentId = (await send('post', '/agents', { name: 'records', type: 'data-processor' }).expect(201)).body.data.id;
    input = { records: AWKWARD };
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await t?.close();
  });

  const get = async (path: string) =>
    (
      await request(url)
        .get(`/api/v1${path}`)
        .set(...bearer(op))
        .expect(200)
    ).body.data;
  const send = (method: 'post' | 'patch', path: string, body: unknown) =>
    request(url)
      [method](`/api/v1${path}`)
      .set(...bearer(op))
      .send(body as object);
  const stored = async (sql: string, id: string): Promise<unknown> => (await t.dataSource.query(sql, [id]))[0].value;

  it('keeps a workflow step input as created and as changed', async () => {
    const created = send('post', '/workflows', { name: 'awkward-keys', steps: [{ id: 's', agentId, input }] });
    const workflowId = (await created.expect(201)).body.data.id as string;
    expect(canonical((await get(`/workflows/${workflowId}`)).steps[0].input)).toBe(canonical(input));
    expect(canonical(await stored(`SELECT steps->0->'input' AS value FROM workflows WHERE id = $1`, workflowId))).toBe(
      canonical(input),
    );
    const changed = { records: [...AWKWARD, ...AWKWARD] };
    await send('patch', `/workflows/${workflowId}`, { steps: [{ id: 's', agentId, input: changed }] }).expect(200);
    expect(canonical((await get(`/workflows/${workflowId}`)).steps[0].input)).toBe(canonical(changed));
    expect(canonical(await stored(`SELECT steps->0->'input' AS value FROM workflows WHERE id = $1`, workflowId))).toBe(
      canonical(changed),
    );
  });

  it('keeps a task’s input, and cancels it', async () => {
    // No worker runs here: the task waits, queued, until it is cancelled.
    const task = (await send('post', '/tasks', { agentId, input }).expect(202)).body.data;
    const cancelled = await send('post', `/tasks/${task.id}/cancel`, {}).expect(200);
    expect(cancelled.body.data.status).toBe('cancelled');
    expect(canonical((await get(`/tasks/${task.id}`)).input)).toBe(canonical(input));
    expect(canonical(await stored(`SELECT input AS value FROM tasks WHERE id = $1`, task.id))).toBe(canonical(input));
  });

  it('keeps a run’s input', async () => {
    const created = send('post', '/workflows', { name: 'runs', steps: [{ id: 's', agentId, input }] });
    const workflowId = (await created.expect(201)).body.data.id as string;
    const run = (await send('post', `/workflows/${workflowId}/runs`, { input: AWKWARD[0] }).expect(202)).body.data;
    expect(canonical((await get(`/workflow-runs/${run.id}`)).input)).toBe(canonical(AWKWARD[0]));
    expect(canonical(await stored(`SELECT input AS value FROM workflow_runs WHERE id = $1`, run.id))).toBe(
      canonical(AWKWARD[0]),
    );
  });

  it('keeps an agent’s config, and its versions', async () => {
    const where = { field: 'meta', op: 'eq', value: AWKWARD };
    const config = { pipeline: [{ filter: { where } }] };
    const created = await send('post', '/agents', { name: 'awkward-keys', type: 'data-processor', config }).expect(201);
    const id = created.body.data.id as string;
    expect(canonical((await get(`/agents/${id}`)).config.pipeline[0].filter.where.value)).toBe(canonical(AWKWARD));
    const storedValue = `SELECT config->'pipeline'->0->'filter'->'where'->'value' AS value FROM agents WHERE id = $1`;
    expect(canonical(await stored(storedValue, id))).toBe(canonical(AWKWARD));
    const next = { pipeline: [{ filter: { where: { ...where, value: [AWKWARD] } } }] };
    await send('post', `/agents/${id}/config`, { config: next }).expect(200);
    expect(canonical((await get(`/agents/${id}`)).config.pipeline[0].filter.where.value)).toBe(canonical([AWKWARD]));
    expect(canonical(await stored(storedValue, id))).toBe(canonical([AWKWARD]));
    const versions = (await get(`/agents/${id}/config/versions`)) as { config: typeof config }[];
    expect(versions.map((v) => canonical(v.config.pipeline[0].filter.where.value)).sort()).toEqual(
      [canonical(AWKWARD), canonical([AWKWARD])].sort(),
    );
  });

  it('keeps a schedule’s target input and a hook’s input template', async () => {
    const schedule = await send('post', '/schedules', {
      name: 'awkward-keys',
      target: { agentId, input },
      everyMs: 3_600_000,
      paused: true,
    }).expect(201);
    expect(canonical((await get(`/schedules/${schedule.body.data.id}`)).target.input)).toBe(canonical(input));
    const hook = await send('post', '/hooks', {
      name: 'awkward-keys',
      target: { agentId },
      auth: 'bearer',
      inputTemplate: input,
    }).expect(201);
    expect(canonical((await get(`/hooks/${hook.body.data.id}`)).inputTemplate)).toBe(canonical(input));
  });
});
