import { ApiError, waitInWords } from '../../api/errors';

/** A sign-in failure in words; `mfa` says whether the code field is already shown. */
export function signInErrorMessage(error: unknown, mfa: boolean): string {
  if (!(error instanceof ApiError)) return 'Could not reach the server. Check the connection and try again.';
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 'Wrong email or password.';
    case 'MFA_REQUIRED':
      return mfa
        ? 'That code did not work. Enter the current code from your authenticator app, or a recovery code.'
        : 'This account uses two-factor authentication. Enter the code from your authenticator app.';
    case 'RATE_LIMITED':
      return error.retryAfterSeconds !== undefined
        ? `Too many sign-in attempts. Try again in ${waitInWords(error.retryAfterSeconds)}.`
        : 'Too many sign-in attempts. Try again in a minute.';
    case 'VALIDATION_FAILED':
      return 'Enter a valid email address and your password.';
    default:
      return `Sign-in failed: ${error.message} (${error.code}${error.requestId ? `, request ${error.requestId}` : ''}).`;
  }
}
