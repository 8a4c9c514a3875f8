import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Permission } from './permissions';
import type { Principal } from './principal';

export const REQUIRED_PERMISSIONS = 'ymera:permissions';
/** The permissions a route needs (all of them). Routes with neither this, @Authenticated nor @Public are refused. */
export const RequirePermissions = (...permissions: Permission[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSIONS, permissions);

export const ANY_PERMISSION = 'ymera:any-permission';
/**
 * The permissions a route takes one of (any of them), for a route that serves each of them its own part (the
 * service narrows what it answers to what the caller holds). Beside RequirePermissions, both must hold.
 */
export const RequireAnyPermission = (...permissions: Permission[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ANY_PERMISSION, permissions);

export const AUTHENTICATED_ONLY = 'ymera:authenticated';
/** Any signed-in caller may use the route (their own profile, their own MFA). */
export const Authenticated = (): MethodDecorator & ClassDecorator => SetMetadata(AUTHENTICATED_ONLY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
