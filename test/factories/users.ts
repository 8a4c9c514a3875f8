import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { Role } from '../../src/auth/permissions';
import type { TestApp } from '../utils/test-app';

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-for-tests' };

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function login(http: App, email: string, password: string, totp?: string): Promise<TestUser> {
  const res = await request(http)
    .post('/api/v1/auth/login')
    .send({ email, password, ...(totp ? { totp } : {}) });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const me = await request(http).get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.data.accessToken}`);
  return { id: me.body.data.id, email, password, ...res.body.data };
}

/** Registers a user, gives them a role through the admin API, and signs them in. */
export async function createUser(t: TestApp, role: Role = 'viewer'): Promise<TestUser> {
  const email = `${role}-${randomBytes(4).toString('hex')}@test.local`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const reg = await request(t.http).post('/api/v1/auth/register').send({ email, password, name: role });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  if (role !== 'viewer') {
    await updateUser(t, await login(t.http, ADMIN.email, ADMIN.password), reg.body.data.id, { role });
  }
  return login(t.http, email, password);
}

/** Changes a user (role, isActive, ...) as `admin`, through the admin API. */
export async function updateUser(
  t: { http: App },
  admin: { accessToken: string },
  id: string,
  changes: Record<string, unknown>,
): Promise<void> {
  await request(t.http)
    .patch(`/api/v1/users/${id}`)
    .set(...bearer(admin))
    .send(changes)
    .expect(200);
}

export function bearer(user: { accessToken: string }): [string, string] {
  return ['Authorization', `Bearer ${user.accessToken}`];
}
