import { type Permission, permissionsOf, type Role } from './permissions';
import { ForbiddenError } from '../common/errors/app.error';

/** Who is calling: a user with a bearer token, or an API key acting for its creator with a subset of rights. */
export interface Principal {
  type: 'user' | 'apiKey';
  userId: string;
  email: string;
  role: Role;
  permissions: ReadonlySet<Permission>;
  apiKeyId?: string;
}

export function isAdmin(principal: Principal): boolean {
  return principal.role === 'admin' && principal.type === 'user';
}

/**
 * Whether the caller may change (or delete) a shared resource that everyone may read and use: only its
 * creator (an API key counts as its user) or an admin. A resource without a recorded creator (one that
 * predates the record, or the platform's own) is the admins' alone.
 */
export function mayChange(principal: Principal, createdBy: string | null): boolean {
  return isAdmin(principal) || (createdBy !== null && createdBy === principal.userId);
}

/** The API key a call is made with; null for a signed-in user. */
export function keyIdOf(principal: Principal): string | null {
  if (principal.type !== 'apiKey') return null;
  if (!principal.apiKeyId) throw new Error('An API key principal without its key id');
  return principal.apiKeyId;
}

/**
 * Throws 403 unless the caller holds `permission` (an API key: within its scopes), for what acts on their behalf
 * later: a schedule starts tasks, a webhook sends out their results. Without it, a key scoped to schedules or
 * webhooks alone would reach what its scopes leave out.
 */
export function assertHolds(principal: Principal, permission: Permission, what: string): void {
  if (!principal.permissions.has(permission)) throw new ForbiddenError(lacking(principal, [permission], what));
}

/**
 * Why the caller is refused: what they do takes these permissions (`all`), or one of them (`any`), which their
 * role or API key lacks.
 */
export function lacking(
  principal: Principal,
  missing: readonly Permission[],
  what = 'This',
  takes: 'all' | 'any' = 'all',
): string {
  // A key holds its scopes within its user's role: the role is what lacks one it does not hold either.
  const role = permissionsOf(principal.role);
  const roleHolds = takes === 'any' ? missing.some((p) => role.has(p)) : missing.every((p) => role.has(p));
  const holder = principal.type === 'apiKey' && roleHolds ? 'this API key' : 'your role';
  const named =
    missing.length === 1
      ? `the ${missing[0]} permission`
      : takes === 'any'
        ? `the ${missing.join(' or ')} permission`
        : `the ${missing.join(' and ')} permissions`;
  return `${what} takes ${named}, which ${holder} does not hold`;
}
