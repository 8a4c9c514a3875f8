import request from 'supertest';
import { createAdmin } from '../src/cli/create-admin.command';
import { login } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

describe('create-admin command', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates an admin who can sign in, generating the password when none is given', async () => {
    const result = await createAdmin(t.env.config, 'Ops@Example.com');
    expect(result.email).toBe('ops@example.com');
    expect(result.generatedPassword).toHaveLength(24);
    const admin = await login(t.http, 'ops@example.com', result.generatedPassword!);
    const me = await request(t.http)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${admin.accessToken}`)
      .expect(200);
    expect(me.body.data.role).toBe('admin');
    // The command chains its audit entry before it closes the database.
    const [entry] = await t.dataSource.query(
      `SELECT actor_type FROM audit_logs WHERE action = 'user.create_admin_cli'`,
    );
    expect(entry.actor_type).toBe('system');
    await expect(createAdmin(t.env.config, 'ops@example.com', 'another-password-1')).rejects.toThrow(/already exists/);
  });
});
