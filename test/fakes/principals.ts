import type { Principal } from '../../src/auth/principal';

/** A signed-in user (an operator unless a role is given), for unit specs of services that take a caller. */
export function principal(userId: string, role: Principal['role'] = 'operator'): Principal {
  return { type: 'user', userId, email: `${userId}@example.test`, role, permissions: new Set() };
}
