import type { Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { RefreshCookie } from './refresh-cookie';

function optionsFor(env: AppConfig['env']): Record<string, unknown> {
  const config = { env, auth: { refreshTtlSeconds: 3600 } } as AppConfig;
  let options: Record<string, unknown> = {};
  const res = {
    cookie: (_name: string, _value: string, o: Record<string, unknown>) => (options = o),
  } as unknown as Response;
  new RefreshCookie(config).hand(res, { accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer', expiresIn: 1 });
  return options;
}

describe('RefreshCookie', () => {
  it('is Secure outside development and test', () => {
    expect(optionsFor('production')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'strict' });
    expect(optionsFor('development')).toMatchObject({ secure: false, maxAge: 3_600_000, path: '/api/v1/auth' });
    expect(optionsFor('test').secure).toBe(false);
  });
});
