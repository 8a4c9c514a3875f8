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

/** Retry-After of a live connection refused for its user's open ones: a console page is closed by then, or not. */
export const LIVE_CONNECTIONS_RETRY_AFTER_S = 30;

export class TooManyLiveConnectionsError extends AppError {
  constructor(limit: number) {
    super(
      ErrorCode.RATE_LIMITED,
      `Too many live connections: at most ${limit} per user are open at once (LIVE_CONNECTIONS_PER_USER); close one first`,
      undefined,
      { 'Retry-After': String(LIVE_CONNECTIONS_RETRY_AFTER_S) },
    );
  }
}

export class RegistrationClosedError extends AppError {
  constructor() {
    super(ErrorCode.FORBIDDEN, 'Registration is closed');
  }
}
