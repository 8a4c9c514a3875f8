import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { auditContextOf, type AuthenticatedRequest, isStateChanging } from '../audit/audit-request';
import { type AuditEvent, AuditService } from '../audit/audit.service';
import { ForbiddenError, UnauthenticatedError } from '../common/errors/app.error';
import { IS_PUBLIC } from '../common/http/public.decorator';
import { CachedReflector } from '../common/metadata/cached-reflector';
import { ANY_PERMISSION, AUTHENTICATED_ONLY, REQUIRED_PERMISSIONS } from './auth.decorators';
import { Metrics } from '../metrics/metrics.service';
import { Authenticator } from './authenticator';
import type { Permission } from './permissions';
import { lacking } from './principal';

/**
 * Global guard, deny by default: a route is open only when marked @Public; otherwise the caller must
 * authenticate (Bearer JWT or X-API-Key) and hold every permission the route declares (of those it declares
 * with RequireAnyPermission, one). A route that declares nothing is refused. User state is checked on every request (see Authenticator), so
 * deactivation and role changes apply at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: CachedReflector,
    private readonly authenticator: Authenticator,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();

    const principal = await this.authenticator.authenticate(req);
    if (!principal) {
      const sent = req.headers.authorization ? 'token' : req.headers['x-api-key'] ? 'key' : undefined;
      this.metrics.authFailure(sent ? 'invalid_credentials' : 'missing_credentials');
      // No one was identified: the entry says which kind of credential was tried, and names no one.
      const actor = { actorType: sent === 'key' ? ('apiKey' as const) : ('user' as const), actorId: null };
      if (isStateChanging(req.method)) await this.deny(req, 'auth.unauthenticated', {}, actor);
      // Credentials that were sent but not taken are said to be so: not "required", as if none had come.
      throw new UnauthenticatedError(
        sent === 'token'
          ? 'The access token is not valid: expired, revoked or not ours'
          : sent === 'key'
            ? 'The API key is not valid: unknown, revoked or expired, or its user deactivated'
            : undefined,
      );
    }
    req.principal = principal;

    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSIONS, targets);
    const anyOf = this.reflector.getAllAndOverride<Permission[] | undefined>(ANY_PERMISSION, targets);
    if (!required && !anyOf) {
      if (this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_ONLY, targets)) return true;
      await this.deny(req, 'permission.denied', { reason: 'route declares no permission' });
      throw new ForbiddenError();
    }
    const missing = (required ?? []).filter((p) => !principal.permissions.has(p));
    if (missing.length) {
      await this.deny(req, 'permission.denied', { required, missing });
      throw new ForbiddenError(lacking(principal, missing));
    }
    if (anyOf && !anyOf.some((p) => principal.permissions.has(p))) {
      await this.deny(req, 'permission.denied', { anyOf, missing: anyOf });
      throw new ForbiddenError(lacking(principal, anyOf, undefined, 'any'));
    }
    return true;
  }

  private async deny(
    req: AuthenticatedRequest,
    action: string,
    details: Record<string, unknown>,
    actor?: Pick<AuditEvent, 'actorType' | 'actorId'>,
  ): Promise<void> {
    await this.audit
      .record(
        {
          ...actor,
          action,
          outcome: 'denied',
          details: {
            ...details,
            method: req.method,
            path: req.route ? String((req.route as { path: unknown }).path) : req.path,
          },
        },
        undefined,
        auditContextOf(req),
      )
      .catch(() => undefined);
  }
}
