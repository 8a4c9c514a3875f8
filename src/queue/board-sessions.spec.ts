import type { LoginSessions } from '../auth/login-sessions';
import type { AppConfig } from '../config/app-config';
import type { UserAuthState, UsersService } from '../users/users.service';
import { BoardSessions } from './board-sessions';

const user: UserAuthState = { id: 'u1', email: 'a@b.c', role: 'admin', isActive: true, tokenVersion: 3 };
const users = { authState: async (id: string) => (id === user.id ? user : null) } as unknown as UsersService;
const ended = new Set<string>();
const asked: string[] = [];
const logins: Pick<LoginSessions, 'isLive'> = {
  isLive: async (id, userId) => {
    asked.push(id);
    return !ended.has(id) && userId === user.id;
  },
};
const sessionsWith = (jwtSecret: string) => new BoardSessions({ auth: { jwtSecret } } as AppConfig, users, logins);

describe('BoardSessions', () => {
  beforeEach(() => {
    ended.clear();
    asked.length = 0;
  });

  it('accepts a cookie issued by another instance with the same JWT_SECRET, and no other', async () => {
    const { value } = sessionsWith('s'.repeat(40)).issue(user.id, user.tokenVersion, 'login-1');
    await expect(sessionsWith('s'.repeat(40)).principalOf(value)).resolves.toMatchObject({ userId: 'u1' });
    await expect(sessionsWith('t'.repeat(40)).principalOf(value)).resolves.toBeUndefined();
  });

  it('refuses an expired cookie and one issued before the token version changed', async () => {
    const sessions = sessionsWith('s'.repeat(40));
    const expired = sessions.issue(user.id, user.tokenVersion, undefined, Date.now() - 601_000).value;
    await expect(sessions.principalOf(expired)).resolves.toBeUndefined();
    await expect(sessions.principalOf(sessions.issue(user.id, 2, undefined).value)).resolves.toBeUndefined();
  });

  it('ends with the login it was opened from; one without a login lasts until it expires', async () => {
    const sessions = sessionsWith('s'.repeat(40));
    const ending = sessions.issue(user.id, user.tokenVersion, 'login-1').value;
    const staying = sessions.issue(user.id, user.tokenVersion, 'login-2').value;
    const unbound = sessions.issue(user.id, user.tokenVersion, undefined).value;
    await expect(sessions.principalOf(ending)).resolves.toMatchObject({ userId: 'u1' });
    ended.add('login-1');
    await expect(sessions.principalOf(ending)).resolves.toBeUndefined();
    await expect(sessions.principalOf(staying)).resolves.toMatchObject({ userId: 'u1' });
    asked.length = 0;
    await expect(sessions.principalOf(unbound)).resolves.toMatchObject({ userId: 'u1' });
    expect(asked).toEqual([]);
  });

  it('refuses a signed cookie whose login is not a string', async () => {
    const sessions = sessionsWith('s'.repeat(40));
    const [payload] = sessions.issue(user.id, user.tokenVersion, undefined).value.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const odd = Buffer.from(JSON.stringify({ ...claims, s: 7 })).toString('base64url');
    const sign = (sessions as unknown as { sign(p: string): string }).sign.bind(sessions);
    await expect(sessions.principalOf(`${odd}.${sign(odd)}`)).resolves.toBeUndefined();
  });
});
