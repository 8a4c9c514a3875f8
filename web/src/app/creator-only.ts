import type { components } from '../api/schema';

type Me = Pick<components['schemas']['MeDto'], 'id' | 'role'>;

/** What is changed or deleted only by whoever created it, or by an admin. */
export type CreatorOnlyKind = 'agent' | 'workflow';

/**
 * Why `me` may not change or delete `resource`, or null when they may: agents and workflows are shared for
 * reading, sending tasks and running, but changed only by their creator or an admin (the API answers anyone
 * else 403 `FORBIDDEN`). One without a recorded creator is the admins' alone.
 */
export function creatorOnlyReason(
  me: Me,
  resource: { createdBy: string | null },
  kind: CreatorOnlyKind,
): string | null {
  if (me.role === 'admin') return null;
  if (resource.createdBy === me.id) return null;
  return `Only its creator or an admin can change this ${kind}`;
}
