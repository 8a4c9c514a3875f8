/** Roles and the permissions each one holds: the one place access rules are defined. */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'agents:read',
  'agents:write',
  'tasks:read',
  'tasks:write',
  'workflows:read',
  'workflows:write',
  'apikeys:manage',
  'audit:read',
  'users:manage',
  'system:read',
  'queues:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = ['agents:read', 'tasks:read', 'workflows:read'];
const OPERATOR: Permission[] = [...VIEWER, 'agents:write', 'tasks:write', 'workflows:write', 'apikeys:manage'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: VIEWER,
  operator: OPERATOR,
  admin: PERMISSIONS,
};

const ROLE_PERMISSION_SETS = new Map<Role, ReadonlySet<Permission>>(
  ROLES.map((role) => [role, new Set(ROLE_PERMISSIONS[role])]),
);

/** The permissions a role holds, as one shared set per role (a caller's are looked up on every request). */
export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return ROLE_PERMISSION_SETS.get(role) ?? new Set();
}
