import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PREFIX = 'ymh_';

/** A new bearer token: `ymh_` and 32 random bytes, base64url. */
export function newBearerToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** What is stored of a bearer token: its SHA-256, hex (the token has 256 random bits: no salt or stretching needed). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether `Authorization: Bearer <token>` names the token whose hash is stored, compared in constant time. */
export function bearerMatches(authorization: string | undefined, storedHash: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return false;
  const given = Buffer.from(tokenHash(match[1]), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
