import { AppError, ForbiddenError, UnauthenticatedError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import type { Principal } from './principal';

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

/** How many one-time codes one user may try in MFA_ATTEMPT_WINDOW_MS, at login and on the MFA routes together. */
export const MFA_ATTEMPTS = 10;
export const MFA_ATTEMPT_WINDOW_MS = 15 * 60_000;

/** A user's one-time codes tried too often: guessing the 3 codes valid at any moment must take years, not hours. */
export class TooManyMfaAttemptsError extends AppError {
  constructor(retryAfterSeconds: number) {
    const seconds = Math.max(1, retryAfterSeconds);
    super(
      ErrorCode.RATE_LIMITED,
      `Too many one-time codes tried for this account: at most ${MFA_ATTEMPTS} every ${MFA_ATTEMPT_WINDOW_MS / 60_000} minutes; retry in ${seconds} s`,
      undefined,
      { 'Retry-After': String(seconds) },
    );
  }
}

export class RegistrationClosedError extends AppError {
  constructor() {
    super(ErrorCode.FORBIDDEN, 'Registration is closed');
  }
}

/**
 * What an API key may not do, an admin's key included, because it would outlast the key or the person behind it:
 * managing a second factor, setting a password, making, demoting or deactivating an admin.
 */
export class SignedInRequiredError extends ForbiddenError {
  constructor(what: string, who: string) {
    super(`${what} takes ${who}, not an API key`);
  }
}

/** Refuses `what` to an API key (SignedInRequiredError); a signed-in user goes on. */
export function requireSignedIn(
  principal: Pick<Principal, 'type'> | undefined,
  what: string,
  who = 'a signed-in user',
): void {
  if (principal?.type === 'apiKey') throw new SignedInRequiredError(what, who);
}
