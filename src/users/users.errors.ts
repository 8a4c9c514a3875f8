import { ConflictError, NotFoundError } from '../common/errors/app.error';

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
