import type { Permission } from '../auth/permissions';
import { requireSignedIn } from '../auth/auth.errors';
import type { Principal } from '../auth/principal';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/app.error';

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('User');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('A user with this email already exists', [
      { field: '/email', message: 'A user with this email already exists' },
    ]);
  }
}

/** A hook, schedule or trigger whose creator is deactivated, or no longer holds what it needs (see UsersService.assertMayStill). */
export class CreatorWithoutAccessError extends ForbiddenError {
  constructor(permission: Permission) {
    super(`Its creator is deactivated or no longer holds ${permission}`);
  }
}

/** Refuses `what` to an API key: it takes a signed-in admin (see requireSignedIn). */
export function requireSignedInAdmin(principal: Pick<Principal, 'type'> | undefined, what: string): void {
  requireSignedIn(principal, what, 'a signed-in admin');
}
