import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { UsersService } from '../users/users.service';
import { LoginSessions, stillSignedIn } from './login-sessions';
import { permissionsOf } from './permissions';
import type { Principal } from './principal';
import { TokenService } from './token.service';

/** A live API key, as the API keys feature resolves it (undefined: none, or not valid). */
type ResolvedKey = Awaited<ReturnType<ApiKeysService['resolve']>>;

/**
 * Who is calling. User state, and for an access token its login, are checked on every call (from caches that
 * every change clears at once, on every process), so deactivation, role changes and signing out apply at once.
 * Shared by the HTTP guard, the event gateway and the queue board.
 */
@Injectable()
export class Authenticator {
  /** API keys already resolved for a request: the rate limiter and the auth guard both need them. */
  private readonly keys = new WeakMap<object, Promise<ResolvedKey>>();

  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly logins: LoginSessions,
  ) {}

  /** A bare access token (the Socket.IO handshake carries one). */
  fromToken(token: unknown): Promise<Principal | undefined> {
    if (typeof token !== 'string' || !token) return Promise.resolve(undefined);
    return this.authenticate({ headers: { authorization: `Bearer ${token}` } } as Request);
  }

  /** The caller of a request (Bearer token or X-API-Key), or undefined when there is none or it is not valid. */
  async authenticate(req: Request): Promise<Principal | undefined> {
    if (req.headers.authorization) return this.fromAccessToken(req);
    return this.fromApiKey(req);
  }

  /** A bare API key (the X-API-Key header's value), checked again for a stream it opened. */
  fromApiKeyValue(presented: string): Promise<Principal | undefined> {
    return this.fromApiKey({ headers: { 'x-api-key': presented } });
  }

  /**
   * The live API key a request presents in X-API-Key (secret checked), or undefined when there is none or
   * it is not valid. Resolved once per request.
   */
  apiKeyOf(req: Pick<Request, 'headers'>): Promise<ResolvedKey> {
    let key = this.keys.get(req);
    if (!key) {
      const presented = req.headers['x-api-key'];
      key = typeof presented === 'string' && presented ? this.apiKeys.resolve(presented) : Promise.resolve(undefined);
      this.keys.set(req, key);
    }
    return key;
  }

  private async fromAccessToken(req: Request): Promise<Principal | undefined> {
    const claims = this.tokens.claimsOf(req);
    if (!claims) return undefined;
    const user = await stillSignedIn(this.users, this.logins, {
      userId: claims.sub,
      tokenVersion: claims.tv,
      loginId: claims.sid,
    });
    if (user?.role !== claims.role) return undefined;
    return {
      type: 'user',
      userId: user.id,
      email: user.email,
      role: user.role,
      permissions: permissionsOf(user.role),
    };
  }

  private async fromApiKey(req: Pick<Request, 'headers'>): Promise<Principal | undefined> {
    const key = await this.apiKeyOf(req);
    if (!key) return undefined;
    const user = await this.users.authState(key.userId);
    if (!user?.isActive) return undefined;
    // A key never holds more than its owner holds now: a demoted owner's keys shrink with them.
    const owned = permissionsOf(user.role);
    return {
      type: 'apiKey',
      userId: user.id,
      email: user.email,
      role: user.role,
      apiKeyId: key.id,
      permissions: new Set(key.scopes.filter((scope) => owned.has(scope))),
    };
  }
}
