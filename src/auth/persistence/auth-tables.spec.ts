import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..');
const OWNER = relative(SRC, __dirname);
/** A statement that names one of the sign-in's tables. */
const STATEMENT = /\b(from|into|update|join)\s+"?(refresh_tokens|mfa_recovery_codes)\b/i;
/** TypeORM calls that take one of their entities (`em.update(RefreshTokenEntity, …)`). */
const ENTITY_CALL = /\(\s*(RefreshToken|MfaRecoveryCode)Entity\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('the refresh tokens’ and recovery codes’ tables', () => {
  it(`are read and written only in ${OWNER}/`, () => {
    const offenders = sources(SRC)
      .map((path) => relative(SRC, path))
      .filter((path) => !path.startsWith(`${OWNER}/`))
      .flatMap((path) =>
        readFileSync(join(SRC, path), 'utf8')
          .split('\n')
          .map((line, i) => ({ path, line: i + 1, text: line }))
          .filter(({ text }) => STATEMENT.test(text) || ENTITY_CALL.test(text)),
      )
      .map(({ path, line, text }) => `${path}:${line}: ${text.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('are recognised by the check above', () => {
    expect(STATEMENT.test('DELETE FROM refresh_tokens WHERE expires_at < now()')).toBe(true);
    expect(ENTITY_CALL.test('em.update(RefreshTokenEntity, { userId })')).toBe(true);
    expect(ENTITY_CALL.test('em.countBy(MfaRecoveryCodeEntity, { userId })')).toBe(true);
    expect(STATEMENT.test('the refresh_tokens of a user')).toBe(false);
  });
});
