import type { AppConfig } from '../config/app-config';
import type { UserAuthState, UsersService } from '../users/users.service';
import { BoardSessions } from './board-sessions';

const user: UserAuthState = { id: 'u1', email: 'a@b.c', role: 'admin', isActive: true, tokenVersion: 3 };
const users = { authState: async (id: string) => (id === user.id ? user : null) } as unknown as UsersService;
const sessionsWith = (jwtSecret: string) => new BoardSessions({ auth: { jwtSecret } } as AppConfig, users);

describe('BoardSessions', () => {
  it('accepts a cookie issued by another instance with the same JWT_SECRET, and no other', async () => {
    const { value } = sessionsWith('s'.repeat(40)).issue(user.id, user.tokenVersion);
    await expect(sessionsWith('s'.repeat(40)).principalOf(value)).resolves.toMatchObject({ userId: 'u1' });
    await expect(sessionsWith('t'.repeat(40)).principalOf(value)).resolves.toBeUndefined();
  });

  it('refuses an expired cookie and one issued before the token version changed', async () => {
    const sessions = sessionsWith('s'.repeat(40));
    const expired = sessions.issue(user.id, user.tokenVersion, Date.now() - 601_000).value;
    await expect(sessions.principalOf(expired)).resolves.toBeUndefined();
    await expect(sessions.principalOf(sessions.issue(user.id, 2).value)).resolves.toBeUndefined();
  });
});
