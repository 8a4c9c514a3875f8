import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AuditContextStore } from '../audit/audit-context';
import { auditContextOf, type AuthenticatedRequest, isStateChanging } from '../audit/audit-request';
import { AuditService } from '../audit/audit.service';
import { ForbiddenError, UnauthenticatedError } from '../common/errors/app.error';
import { IS_PUBLIC } from '../common/http/public.decorator';
import { UsersService } from '../users/users.service';
import { AUTHENTICATED_ONLY, REQUIRED_PERMISSIONS } from './auth.decorators';
import { type Permission, permissionsOf } from './permissions';
import type { Principal } from './principal';
import { TokenService } from './token.service';

/**
 * Global guard, deny by default: a route is open only when marked @Public; otherwise the caller must
 * authenticate (Bearer JWT or X-API-Key) and hold every permission the route declares. A route that
 * declares nothing is refused. User state is read on every request, so deactivation and role changes
 * apply at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly auditContext: AuditContextStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();

    const principal = await this.authenticate(req);
    if (!principal) {
      if (isStateChanging(req.method)) await this.deny(req, 'auth.unauthenticated', {});
      throw new UnauthenticatedError();
    }
    req.principal = principal;

    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSIONS, targets);
    if (!required) {
      if (this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_ONLY, targets)) return true;
      await this.deny(req, 'permission.denied', { reason: 'route declares no permission' });
      throw new ForbiddenError();
    }
    const missing = required.filter((p) => !principal.permissions.has(p));
    if (missing.length) {
      await this.deny(req, 'permission.denied', { required, missing });
      throw new ForbiddenError();
    }
    return true;
  }

  private async authenticate(req: Request): Promise<Principal | undefined> {
    if (req.headers.authorization) return this.fromAccessToken(req);
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) return this.fromApiKey(apiKey);
    return undefined;
  }

  private async fromAccessToken(req: Request): Promise<Principal | undefined> {
    const claims = this.tokens.claimsOf(req);
    if (!claims) return undefined;
    const user = await this.users.findById(claims.sub);
    if (!user?.isActive || user.tokenVersion !== claims.tv || user.role !== claims.role) return undefined;
    return {
      type: 'user',
      userId: user.id,
      email: user.email,
      role: user.role,
      permissions: new Set(permissionsOf(user.role)),
    };
  }

  private async fromApiKey(presented: string): Promise<Principal | undefined> {
    const key = await this.apiKeys.resolve(presented);
    if (!key) return undefined;
    const user = await this.users.findById(key.userId);
    if (!user?.isActive) return undefined;
    // A key never holds more than its owner holds now: a demoted owner's keys shrink with them.
    const owned = new Set(permissionsOf(user.role));
    return {
      type: 'apiKey',
      userId: user.id,
      email: user.email,
      role: user.role,
      apiKeyId: key.id,
      permissions: new Set(key.scopes.filter((scope) => owned.has(scope))),
    };
  }

  private async deny(req: AuthenticatedRequest, action: string, details: Record<string, unknown>): Promise<void> {
    await this.auditContext
      .run(auditContextOf(req), () =>
        this.audit.record({
          action,
          outcome: 'denied',
          details: {
            ...details,
            method: req.method,
            path: req.route ? String((req.route as { path: unknown }).path) : req.path,
          },
        }),
      )
      .catch(() => undefined);
  }
}
