import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..');
const OWNER = relative(SRC, __dirname);
/** A statement that names the refresh tokens' table. */
const STATEMENT = /\b(from|into|update|join)\s+"?refresh_tokens\b/i;
/** TypeORM calls that take the refresh token entity (`em.update(RefreshTokenEntity, …)`). */
const ENTITY_CALL = /\(\s*RefreshTokenEntity\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('the refresh tokens’ table', () => {
  it(`is read and written only in ${OWNER}/`, () => {
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

  it('is recognised by the check above', () => {
    expect(STATEMENT.test('DELETE FROM refresh_tokens WHERE expires_at < now()')).toBe(true);
    expect(ENTITY_CALL.test('em.update(RefreshTokenEntity, { userId })')).toBe(true);
    expect(STATEMENT.test('the refresh_tokens of a user')).toBe(false);
  });
});
