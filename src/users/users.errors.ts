import type { Permission } from '../auth/permissions';
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
