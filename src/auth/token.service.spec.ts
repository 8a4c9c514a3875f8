import { JwtService } from '@nestjs/jwt';
import { loadConfig } from '../config/app-config';
import { jwtOptions, TokenService } from './token.service';

const USER_1 = '5a1e0c3b-8f7d-4e2a-9b6c-1d0f2e3a4b5c';
const USER_2 = '6b2f1d4c-9a8e-4f3b-8c7d-2e1a3f4b5c6d';
const SECRET = 'q7Vb2xK9mP4wZr8sT1uY6nE3aD5fG0hJ_kL-cBx';

function tokenService(ttl = '15m', env: Record<string, string> = {}): TokenService {
  const config = loadConfig({ JWT_SECRET: SECRET, JWT_ACCESS_TTL: ttl, ...env });
  return new TokenService(new JwtService(jwtOptions(config)), config);
}

describe('TokenService', () => {
  afterEach(() => jest.useRealTimers());

  it('verifies a token it signed, and again from memory, with the same claims', () => {
    const tokens = tokenService();
    const token = tokens.sign({ sub: USER_1, role: 'operator', tv: 3 });
    expect(tokens.verify(token)).toEqual({ sub: USER_1, role: 'operator', tv: 3 });
    expect(tokens.verify(token)).toEqual({ sub: USER_1, role: 'operator', tv: 3 });
  });

  it('takes the tokens of the secret before a rotation (JWT_SECRET_PREVIOUS), and signs with the new one', () => {
    const NEW = 'Zr8sT1uY6nE3aD5fG0hJ_kL-cBxq7Vb2xK9mP4w';
    const before = tokenService().sign({ sub: USER_1, role: 'viewer', tv: 0 });
    const rotated = tokenService('15m', { JWT_SECRET: NEW, JWT_SECRET_PREVIOUS: SECRET });
    expect(rotated.verify(before)).toEqual({ sub: USER_1, role: 'viewer', tv: 0 });
    const after = rotated.sign({ sub: USER_2, role: 'viewer', tv: 0 });
    expect(tokenService('15m', { JWT_SECRET: NEW }).verify(after)).toBeDefined();
    expect(tokenService().verify(after)).toBeUndefined();
    // Without it, the old tokens are refused; a secret it never was is refused either way.
    expect(tokenService('15m', { JWT_SECRET: NEW }).verify(before)).toBeUndefined();
    const other = tokenService('15m', { JWT_SECRET: 'x'.repeat(40) }).sign({ sub: USER_2, role: 'admin', tv: 0 });
    expect(rotated.verify(other)).toBeUndefined();
  });

  it('refuses a remembered token once it has expired', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const tokens = tokenService('60s');
    const token = tokens.sign({ sub: USER_1, role: 'viewer', tv: 0 });
    expect(tokens.verify(token)).toBeDefined();
    jest.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    expect(tokens.verify(token)).toBeUndefined();
  });

  it('refuses a token whose payload was altered, even after the original was remembered', () => {
    const tokens = tokenService();
    const token = tokens.sign({ sub: USER_1, role: 'viewer', tv: 0 });
    expect(tokens.verify(token)).toBeDefined();
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: USER_1, role: 'admin', tv: 0 })).toString('base64url');
    expect(tokens.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
  });

  it('refuses a correctly signed token without an expiry or an issue time', () => {
    const config = loadConfig({ JWT_SECRET: SECRET });
    const bare = new JwtService({ secret: jwtOptions(config).secret });
    const claims = { role: 'admin', tv: 0 };
    const base = { subject: USER_1, issuer: config.auth.issuer, audience: config.auth.audience };
    const noExp = bare.sign(claims, base);
    const noIat = bare.sign(claims, { ...base, expiresIn: 60, noTimestamp: true });
    const both = bare.sign(claims, { ...base, expiresIn: 60 });
    const tokens = tokenService();
    expect(tokens.verify(both)).toEqual({ sub: USER_1, role: 'admin', tv: 0 });
    expect(tokens.verify(noExp)).toBeUndefined();
    expect(tokens.verify(noIat)).toBeUndefined();
  });

  it('refuses a correctly signed token whose subject is not an id as the platform writes one', () => {
    const config = loadConfig({ JWT_SECRET: SECRET });
    const jwt = new JwtService(jwtOptions(config));
    const tokens = tokenService();
    for (const subject of ["x' or 1=1--", 'user-1', USER_1.toUpperCase(), `${USER_1} `])
      expect(tokens.verify(jwt.sign({ role: 'viewer', tv: 0 }, { subject }))).toBeUndefined();
    expect(tokens.verify(jwt.sign({ role: 'viewer', tv: 0 }, { subject: USER_1 }))?.sub).toBe(USER_1);
  });

  it('carries the login a token was issued for, takes a token older than that claim, and refuses a malformed one', () => {
    const tokens = tokenService();
    const familyId = '0b7c6a52-3f0e-4d8b-9a51-2f7d3c1e9a40';
    expect(tokens.verify(tokens.sign({ sub: USER_1, role: 'viewer', tv: 0, sid: familyId }))).toEqual({
      sub: USER_1,
      role: 'viewer',
      tv: 0,
      sid: familyId,
    });
    const config = loadConfig({ JWT_SECRET: SECRET });
    const jwt = new JwtService(jwtOptions(config));
    const older = jwt.sign({ role: 'viewer', tv: 0 }, { subject: USER_1 });
    expect(tokens.verify(older)).toStrictEqual({ sub: USER_1, role: 'viewer', tv: 0 });
    for (const sid of [42, null, ['a'], { id: familyId }, 'not-an-id', familyId.toUpperCase()]) {
      expect(tokens.verify(jwt.sign({ role: 'viewer', tv: 0, sid }, { subject: USER_1 }))).toBeUndefined();
    }
  });

  it('refuses a token signed with another secret', () => {
    const other = new JwtService({ secret: 'another-secret-another-secret-0123456789' });
    expect(tokenService().verify(other.sign({ sub: USER_1, tv: 0 }))).toBeUndefined();
  });
});
