import { AppError, UnauthenticatedError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';

export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('Invalid email or password');
  }
}

export class MfaRequiredError extends AppError {
  constructor(message = 'A valid one-time code is required') {
    super(ErrorCode.MFA_REQUIRED, message);
  }
}

export class InvalidRefreshTokenError extends UnauthenticatedError {
  constructor() {
    super('The refresh token is invalid, expired or revoked');
  }
}

export class RegistrationClosedError extends AppError {
  constructor() {
    super(ErrorCode.FORBIDDEN, 'Registration is closed');
  }
}
