import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { UsersService } from '../users/users.service';
import { permissionsOf } from './permissions';
import type { Principal } from './principal';
import { TokenService } from './token.service';

/**
 * Who is calling. User state is checked on every call (from a cache that every change clears at once,
 * on every process), so deactivation and role changes apply at once.
 * Shared by the HTTP guard, the event gateway and the queue board.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /** A bare access token (the Socket.IO handshake carries one). */
  fromToken(token: unknown): Promise<Principal | undefined> {
    if (typeof token !== 'string' || !token) return Promise.resolve(undefined);
    return this.authenticate({ headers: { authorization: `Bearer ${token}` } } as Request);
  }

  /** The caller of a request (Bearer token or X-API-Key), or undefined when there is none or it is not valid. */
  async authenticate(req: Request): Promise<Principal | undefined> {
    if (req.headers.authorization) return this.fromAccessToken(req);
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) return this.fromApiKey(apiKey);
    return undefined;
  }

  private async fromAccessToken(req: Request): Promise<Principal | undefined> {
    const claims = this.tokens.claimsOf(req);
    if (!claims) return undefined;
    const user = await this.users.authState(claims.sub);
    if (!user?.isActive || user.tokenVersion !== claims.tv || user.role !== claims.role) return undefined;
    return {
      type: 'user',
      userId: user.id,
      email: user.email,
      role: user.role,
      permissions: permissionsOf(user.role),
    };
  }

  /** The caller an API key (the X-API-Key header's value) stands for, or undefined when it is not valid. */
  async fromApiKey(presented: string): Promise<Principal | undefined> {
    const key = await this.apiKeys.resolve(presented);
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
