import type { Permission } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/app.error';

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('User');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('A user with this email already exists');
  }
}

/** A hook, schedule or trigger whose creator is deactivated, or no longer holds what it needs (see UsersService.assertMayStill). */
export class CreatorWithoutAccessError extends ForbiddenError {
  constructor(permission: Permission) {
    super(`Its creator is deactivated or no longer holds ${permission}`);
  }
}

/**
 * What an API key may not do to accounts, an admin's key included: set a password, or make, demote or deactivate
 * an admin. Each would give standing access that outlives the key (a password to sign in with, an admin account).
 */
export class SignedInAdminRequiredError extends ForbiddenError {
  constructor(what: string) {
    super(`${what} takes a signed-in admin, not an API key`);
  }
}

/** Refuses `what` to an API key (SignedInAdminRequiredError); a signed-in user goes on. */
export function refuseApiKey(principal: Pick<Principal, 'type'> | undefined, what: string): void {
  if (principal?.type === 'apiKey') throw new SignedInAdminRequiredError(what);
}
