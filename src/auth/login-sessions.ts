import { Inject, Injectable } from '@nestjs/common';
import { SharedCaches } from '../redis/shared-cache';
import type { SharedCache } from '../redis/shared-cache';
import { RefreshTokenRepository } from './persistence/refresh-token.repository';
import type { UserAuthState, UsersService } from '../users/users.service';
import type { CacheFactory, LoginStore } from './ports';

/** How long a process trusts what it read of a login; its end, announced through Redis, drops it sooner. */
const LOGIN_STATE_TTL_MS = 5000;

/** What a process knows of one login. An ended login never comes back, so that answer is kept too. */
interface LoginState {
  /** The user whose login it is, while it holds; null once it ended (or for a login that never was). */
  owner: string | null;
}

/**
 * Logins, each the refresh-token family its access tokens name in `sid`: whether one still holds, cached per
 * process, so that an access token stops working on every process at once when its login ends (signed out,
 * or its family revoked for a reused refresh token) rather than when it expires.
 */
@Injectable()
export class LoginSessions {
  private readonly states: SharedCache<LoginState>;

  constructor(@Inject(RefreshTokenRepository) refreshTokens: LoginStore, @Inject(SharedCaches) caches: CacheFactory) {
    this.states = caches.create('auth-session', async (id) => ({ owner: await refreshTokens.liveFamilyOwner(id) }), {
      ttlMs: LOGIN_STATE_TTL_MS,
      max: 10_000,
    });
  }

  /**
   * Whether the login still holds, and is `userId`'s (a token naming another user's login is not taken): from
   * this process's cache, read again after a few seconds or a drop.
   */
  async isLive(id: string, userId: string): Promise<boolean> {
    return (await this.states.get(id))?.owner === userId;
  }

  /** Announces, once its transaction committed, that a login ended: every process forgets it at once. */
  ended(id: string): Promise<void> {
    return this.states.invalidate(id);
  }

  /**
   * Calls `listener` with a login's id whenever any process announces its end (undefined: any login's may
   * have ended), for what outlives one request, such as live connections. Returns what stops it.
   */
  onEnd(listener: (id: string | undefined) => void): () => void {
    return this.states.onDrop(listener);
  }
}

/** What a user signed in with: their id, the token version it was issued at, and its login when it names one. */
export interface SignIn {
  userId: string;
  tokenVersion: number | undefined;
  /** Absent for tokens and cookies issued before they named their login: those live until they expire. */
  loginId: string | undefined;
}

/**
 * The user's state while `signIn` still holds (the user active, at the same token version, and its login not
 * ended), or undefined: the check that an access token, a queue board cookie and a live connection each pass
 * again and again. Both reads come from memory once cached; on a miss they run side by side.
 */
export async function stillSignedIn(
  users: Pick<UsersService, 'authState'>,
  logins: Pick<LoginSessions, 'isLive'>,
  { userId, tokenVersion, loginId }: SignIn,
): Promise<UserAuthState | undefined> {
  const [user, loginLive] = await Promise.all([
    users.authState(userId),
    loginId === undefined || logins.isLive(loginId, userId),
  ]);
  return user?.isActive && user.tokenVersion === tokenVersion && loginLive ? user : undefined;
}
