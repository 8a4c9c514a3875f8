import { bearerMatches, newBearerToken, tokenHash } from './hook-secrets';

describe('hook bearer tokens', () => {
  it('are 32 random bytes, stored as their SHA-256 and compared against it', () => {
    const token = newBearerToken();
    expect(token).toMatch(/^ymh_[A-Za-z0-9_-]{43}$/);
    expect(newBearerToken()).not.toBe(token);
    const stored = tokenHash(token);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(bearerMatches(`Bearer ${token}`, stored)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, stored)).toBe(true);
    expect(bearerMatches(`Bearer ${token}x`, stored)).toBe(false);
    expect(bearerMatches(token, stored)).toBe(false);
    expect(bearerMatches(undefined, stored)).toBe(false);
  });
});
