import { ApiError, isUnreachable } from '../../api/errors';

export type SecondFactor = { code: string } | { recoveryCode: string };

const TOTP = /^\d{6}$/;
/** 16 base32 characters, in groups of 4 or not; dashes, spaces and case ignored (as the API does). */
const RECOVERY = /^[A-Z2-7]{16}$/;

/**
 * What a typed second factor is: a 6-digit code from the app (`{code}`), a recovery code (`{recoveryCode}`),
 * or neither (null).
 */
export function secondFactor(typed: string): SecondFactor | null {
  const compact = typed.replace(/[\s-]/g, '');
  if (TOTP.test(compact)) return { code: compact };
  const recovery = compact.toUpperCase();
  if (RECOVERY.test(recovery)) return { recoveryCode: typed.trim() };
  return null;
}

/** A base32 secret in groups of four, easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

/** A refused MFA change in words. */
export function mfaErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'MFA_REQUIRED') {
      return 'That code did not work. Enter the code your app shows now (each code works once; wait for the next one if you just used it).';
    }
    if (error.code === 'VALIDATION_FAILED') return 'Enter the 6-digit code from your authenticator app.';
    if (error.code === 'INVALID_STATE') {
      return 'Two-factor authentication changed in the meantime (in another tab?): reload the page.';
    }
    if (error.code === 'RATE_LIMITED') return 'Too many attempts: wait a minute and try again.';
    return `${error.message} (${error.code}${error.requestId ? `, request ${error.requestId}` : ''}).`;
  }
  return isUnreachable(error) || (error instanceof Error && /fetch|network/i.test(error.message))
    ? 'Could not reach the server. Check the connection and try again.'
    : 'The change failed. Try again.';
}
