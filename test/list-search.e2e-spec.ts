import request from 'supertest';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createWorkflow } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';

/** `?q=` on the lists of agents, workflows and users: any case, anywhere in the fields searched, wildcards literal. */
describe('list search', () => {
  let t: TestApp;
  let admin: TestUser;
  let op: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    await t?.close();
  });

  const names = async (user: TestUser, path: string, field = 'name'): Promise<string[]> => {
    const res = await request(t.http)
      .get(path)
      .set(...bearer(user))
      .expect(200);
    return (res.body.data as Record<string, string>[]).map((item) => item[field]).sort();
  };

  it('finds workflows by name or description, and takes % and _ literally', async () => {
    const agentId = (await createAgent(t, op, { type: 'calculator' })).id;
    const steps = [{ id: 's', agentId, input: { expression: '1+1' } }];
    await createWorkflow(t, op, { name: 'Nightly Report', steps });
    await createWorkflow(t, op, { name: 'billing', description: 'Sends the nightly invoices', steps });
    await createWorkflow(t, op, { name: '50% off', steps });
    await createWorkflow(t, op, { name: '500 offers', steps });
    await createWorkflow(t, op, { name: 'a_b', steps });
    await createWorkflow(t, op, { name: 'axb', steps });

    expect(await names(op, '/api/v1/workflows?q=NIGHTLY')).toEqual(['Nightly Report', 'billing']);
    expect(await names(op, '/api/v1/workflows?q=50%25')).toEqual(['50% off']);
    expect(await names(op, '/api/v1/workflows?q=a_b')).toEqual(['a_b']);
    expect(await names(op, '/api/v1/workflows?q=nothing-like-it')).toEqual([]);
    const page = await request(t.http)
      .get('/api/v1/workflows?q=OFF&limit=1')
      .set(...bearer(op))
      .expect(200);
    expect(page.body.meta.total).toBe(2);
    expect(page.body.data).toHaveLength(1);
  });

  it('finds users by email or name, with the role filter', async () => {
    const viewer = await createUser(t, 'viewer');
    const local = viewer.email.split('@')[0];
    expect(await names(admin, `/api/v1/users?q=${encodeURIComponent(local.toUpperCase())}`, 'email')).toEqual([
      viewer.email,
    ]);
    expect(await names(admin, `/api/v1/users?q=${encodeURIComponent(local)}&role=admin`, 'email')).toEqual([]);
    expect(await names(admin, '/api/v1/users?q=%25', 'email')).toEqual([]);
  });

  it('refuses a search longer than 200 characters, or given twice, with 400 on the field', async () => {
    for (const path of ['/api/v1/workflows', '/api/v1/users', '/api/v1/agents']) {
      const long = await request(t.http)
        .get(`${path}?q=${'x'.repeat(201)}`)
        .set(...bearer(admin));
      expect({ path, status: long.status, code: long.body.error?.code }).toEqual({
        path,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      const twice = await request(t.http)
        .get(`${path}?q=a&q=b`)
        .set(...bearer(admin));
      expect({ path, status: twice.status }).toEqual({ path, status: 400 });
    }
  });
});
