import type { Permission, Role } from './permissions';

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
