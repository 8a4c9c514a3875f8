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
  'schedules:read',
  'schedules:write',
  'webhooks:read',
  'webhooks:write',
  'hooks:read',
  'hooks:write',
  'files:read',
  'files:write',
  'apikeys:manage',
  'audit:read',
  'users:manage',
  'system:read',
  'queues:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = [
  'agents:read',
  'tasks:read',
  'workflows:read',
  'schedules:read',
  'webhooks:read',
  'hooks:read',
  'files:read',
];
const OPERATOR: Permission[] = [
  ...VIEWER,
  'agents:write',
  'tasks:write',
  'workflows:write',
  'schedules:write',
  'webhooks:write',
  'hooks:write',
  'files:write',
  'apikeys:manage',
];

/** One shared set per role: a caller's permissions are looked up on every request. */
const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(VIEWER),
  operator: new Set(OPERATOR),
  admin: new Set(PERMISSIONS),
};

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return ROLE_PERMISSIONS[role];
}

/**
 * Roles whose queue board is writable (retry, clean, promote, remove, pause…), for a signed-in user; every
 * other caller holding `queues:manage` (an API key included) gets the board read-only.
 */
export const QUEUE_BOARD_WRITERS: ReadonlySet<Role> = new Set<Role>(['admin']);
