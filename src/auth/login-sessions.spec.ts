import { FakeRefreshTokens } from '../../test/fakes/auth';
import { FakeCaches } from '../../test/fakes/caches';
import { LoginSessions } from './login-sessions';

const FAMILY = '3d0f6f0e-8a3c-4e61-9f3a-5b7c2a1d4e90';

function setup() {
  const tokens = new FakeRefreshTokens();
  const caches = new FakeCaches();
  const logins = new LoginSessions(tokens, caches);
  const issue = (familyId: string, expiresAt = new Date(Date.now() + 60_000)) =>
    tokens.insert({} as never, {
      userId: 'user-1',
      familyId,
      tokenHash: `${familyId}-${tokens.tokens.size}`,
      expiresAt,
    });
  return { tokens, caches, logins, issue };
}

describe('LoginSessions', () => {
  it('holds a login while one of its refresh tokens is neither revoked nor expired', async () => {
    const { tokens, logins, issue } = setup();
    await issue(FAMILY, new Date(Date.now() - 1));
    await issue(FAMILY);
    await issue('another-family');
    expect(await logins.isLive(FAMILY, 'user-1')).toBe(true);
    await tokens.revokeFamily({} as never, 'another-family');
    expect(await logins.isLive('another-family', 'user-1')).toBe(false);
    await issue('expired-family', new Date(Date.now() - 1));
    expect(await logins.isLive('expired-family', 'user-1')).toBe(false);
    // A login holds for its own user only.
    expect(await logins.isLive(FAMILY, 'user-2')).toBe(false);
    expect(await logins.isLive('unknown-family', 'user-1')).toBe(false);
  });

  it('answers from its cache, the ended logins too, until a login is announced as ended', async () => {
    const { tokens, caches, logins, issue } = setup();
    await issue(FAMILY);
    await tokens.revokeFamily({} as never, 'gone');
    expect(await logins.isLive(FAMILY, 'user-1')).toBe(true);
    expect(await logins.isLive('gone', 'user-1')).toBe(false);
    expect(await logins.isLive(FAMILY, 'user-1')).toBe(true);
    expect(await logins.isLive('gone', 'user-1')).toBe(false);
    expect(caches.loads).toBe(2);

    await tokens.revokeFamily({} as never, FAMILY);
    expect(await logins.isLive(FAMILY, 'user-1')).toBe(true);
    const heard: (string | undefined)[] = [];
    const stop = logins.onEnd((id) => heard.push(id));
    await logins.ended(FAMILY);
    expect(caches.invalidated).toEqual([`auth-session:${FAMILY}`]);
    expect(heard).toEqual([FAMILY]);
    expect(await logins.isLive(FAMILY, 'user-1')).toBe(false);
    stop();
    await logins.ended('gone');
    expect(heard).toEqual([FAMILY]);
  });
});
