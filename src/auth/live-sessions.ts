import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../users/users.service';
import { TooManyLiveConnectionsError } from './auth.errors';
import { Authenticator } from './authenticator';
import { LoginSessions, stillSignedIn } from './login-sessions';
import type { Principal } from './principal';
import { TokenService } from './token.service';

/**
 * How often every live connection's caller is checked again, whatever announced: a revoked or expired API key,
 * and a change whose announcement was lost (Redis down), end it by then.
 */
export const LIVE_SESSION_RECHECK_MS = 30_000;

/** The headers a live connection authenticated with: what authenticates it again. */
export type Credentials = Pick<Request, 'headers'>;

interface Session {
  principal: Principal;
  /** A user's session: the token version it was signed with. */
  tokenVersion?: number;
  /** A user's session: the login its access token was issued for (none for a token older than the claim). */
  loginId?: string;
  /** An API key's session: the key, resolved again at each check. */
  apiKey?: string;
  end: () => void;
}

/** Whether two principals are the same caller with the same rights. */
export function samePrincipal(a: Principal, b: Principal): boolean {
  return (
    a.type === b.type &&
    a.userId === b.userId &&
    a.role === b.role &&
    a.apiKeyId === b.apiKeyId &&
    a.permissions.size === b.permissions.size &&
    [...a.permissions].every((p) => b.permissions.has(p))
  );
}

/**
 * The callers of connections that outlive a request (Socket.IO clients, event streams), checked again: at once
 * on this process when their user changes anywhere (deactivated, role or password changed) or the login of their
 * access token ends anywhere (signed out, its refresh tokens revoked for reuse), and every
 * {@link LIVE_SESSION_RECHECK_MS} for all of them. A connection is ended once its user is deactivated, has
 * another role or token version than its access token was signed with, once that token's login has ended, or
 * once its API key no longer resolves to the same rights (revoked, expired, its owner demoted); its client may
 * connect again as who it now is. An access token's expiry alone does not end a connection it opened, as it
 * does not end a request under way.
 * A user holds at most LIVE_CONNECTIONS_PER_USER of them open on this process ({@link reserve}).
 */
@Injectable()
export class LiveSessions implements OnModuleDestroy {
  private readonly logger = new Logger(LiveSessions.name);
  private readonly byUser = new Map<string, Set<Session>>();
  /** By user: connections being accepted ({@link reserve}). */
  private readonly accepting = new Map<string, number>();
  private readonly stopListening: (() => void)[];
  private timer?: NodeJS.Timeout;
  private sweep?: Promise<void>;
  private readonly perUser: number;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly logins: LoginSessions,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.stopListening = [
      users.onAuthStateChange((userId) => void (userId === undefined ? this.recheckAll() : this.recheck(userId))),
      logins.onEnd((loginId) => void (loginId === undefined ? this.recheckAll() : this.recheckLogin(loginId))),
    ];
    this.perUser = config.events.connectionsPerUser;
  }

  /**
   * Whether `principal`'s user may open one more live connection here: fewer than LIVE_CONNECTIONS_PER_USER
   * are followed or being accepted for them (their API keys' included).
   */
  private hasRoomFor(principal: Principal): boolean {
    const user = principal.userId;
    return (this.byUser.get(user)?.size ?? 0) + (this.accepting.get(user) ?? 0) < this.perUser;
  }

  /**
   * Keeps a place for a connection of `principal`'s user while it is being accepted (its access checked, its
   * stream made: awaits in which others of theirs arrive), counted as one of theirs, so that connections opened
   * together cannot all find room; undefined when there is none. Once {@link follow} counts the connection, or
   * it is refused or closed first, the returned function gives the place back (a second call does nothing).
   */
  reserve(principal: Principal): (() => void) | undefined {
    if (!this.hasRoomFor(principal)) return undefined;
    const user = principal.userId;
    this.accepting.set(user, (this.accepting.get(user) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.accepting.get(user) ?? 1) - 1;
      if (left > 0) this.accepting.set(user, left);
      else this.accepting.delete(user);
    };
  }

  /** {@link reserve}, refused (429 `RATE_LIMITED`) when there is no room. */
  reserveOrRefuse(principal: Principal): () => void {
    const release = this.reserve(principal);
    if (!release) throw new TooManyLiveConnectionsError(this.perUser);
    return release;
  }

  /** Follows a connection of `principal`, which `end` closes; returns what stops following it (on its close). */
  follow(principal: Principal, credentials: Credentials, end: () => void): () => void {
    let session: Session;
    if (principal.type === 'apiKey') {
      const apiKey = credentials.headers['x-api-key'];
      session = { principal, apiKey: typeof apiKey === 'string' ? apiKey : '', end };
    } else {
      const claims = this.tokens.claimsOf({ headers: { ...credentials.headers } });
      session = { principal, tokenVersion: claims?.tv, loginId: claims?.sid, end };
    }
    let sessions = this.byUser.get(principal.userId);
    if (!sessions) this.byUser.set(principal.userId, (sessions = new Set()));
    sessions.add(session);
    this.timer ??= setInterval(() => void this.recheck(undefined), LIVE_SESSION_RECHECK_MS).unref();
    // Its login may have ended between the request's check and now (an announcement this session was not yet
    // here to hear): checked once more, from the cache, rather than at the next sweep.
    if (session.loginId !== undefined) void this.check(session);
    return () => this.forget(session);
  }

  /**
   * `source`, completed when its caller's connection is ended by the rule above; `reserved` (from
   * {@link reserve}) is given back once it is followed.
   */
  until<T>(
    principal: Principal,
    credentials: Credentials,
    source: Observable<T>,
    reserved?: () => void,
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      const stop = this.follow(principal, credentials, () => subscriber.complete());
      reserved?.();
      const inner = source.subscribe(subscriber);
      return () => {
        stop();
        inner.unsubscribe();
      };
    });
  }

  /**
   * A live stream of `principal`'s, made by `make` and followed as {@link until} does: its place among the
   * user's connections is kept from now on ({@link reserve}; 429 `RATE_LIMITED` without one), while `make`
   * awaits, until it is followed, refused or its request ends.
   */
  async stream<T>(
    principal: Principal,
    req: Credentials & Pick<Request, 'once'>,
    make: () => Promise<Observable<T>>,
  ): Promise<Observable<T>> {
    const release = this.reserveOrRefuse(principal);
    req.once('close', release);
    try {
      return this.until(principal, req, await make(), release);
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Checks again the connections of one user, or of every user when `userId` is undefined. */
  async recheck(userId: string | undefined): Promise<void> {
    const sessions =
      userId === undefined ? [...this.byUser.values()].flatMap((s) => [...s]) : [...(this.byUser.get(userId) ?? [])];
    await Promise.all(sessions.map((session) => this.check(session)));
  }

  /** Live connections followed on this process. */
  get size(): number {
    let n = 0;
    for (const sessions of this.byUser.values()) n += sessions.size;
    return n;
  }

  /**
   * The process stops: its live connections end now (their clients connect again, to another instance), or
   * the HTTP server would wait for streams that never end on their own until the shutdown timeout.
   */
  onModuleDestroy(): void {
    for (const stop of this.stopListening) stop();
    clearInterval(this.timer);
    const sessions = [...this.byUser.values()].flatMap((s) => [...s]);
    this.byUser.clear();
    for (const session of sessions) session.end();
  }

  /**
   * Checks every connection again, once for all the calls of one turn of the event loop: a reconnection to
   * Redis drops both the users' and the logins' caches at once, and one sweep answers both.
   */
  private recheckAll(): Promise<void> {
    this.sweep ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.sweep = undefined;
      return this.recheck(undefined);
    });
    return this.sweep;
  }

  /** Checks again the connections opened with an access token of one login. */
  private async recheckLogin(loginId: string): Promise<void> {
    const sessions = [...this.byUser.values()].flatMap((s) => [...s].filter((session) => session.loginId === loginId));
    await Promise.all(sessions.map((session) => this.check(session)));
  }

  private async check(session: Session): Promise<void> {
    let still: boolean;
    try {
      still = await this.stillValid(session);
    } catch (err) {
      // The database is out of reach: the connection stays until it can be checked.
      this.logger.warn(`could not check a live connection's caller again: ${(err as Error).message}`);
      return;
    }
    if (still) return;
    this.forget(session);
    session.end();
  }

  private async stillValid({ principal, tokenVersion, loginId, apiKey }: Session): Promise<boolean> {
    if (apiKey !== undefined) {
      const now = await this.authenticator.fromApiKeyValue(apiKey);
      return now !== undefined && samePrincipal(now, principal);
    }
    const user = await stillSignedIn(this.users, this.logins, { userId: principal.userId, tokenVersion, loginId });
    return user !== undefined && user.role === principal.role;
  }

  private forget(session: Session): void {
    const sessions = this.byUser.get(session.principal.userId);
    if (!sessions?.delete(session) || sessions.size) return;
    this.byUser.delete(session.principal.userId);
    if (this.byUser.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
