import { ApiError } from '../../api/errors';
import { signInErrorMessage } from './sign-in-errors';

const apiError = (code: string, retryAfterSeconds?: number) =>
  new ApiError(code === 'RATE_LIMITED' ? 429 : 401, code, 'refused', 'req-1', [], retryAfterSeconds);

describe('signInErrorMessage', () => {
  it('says what went wrong in words for each refusal', () => {
    expect(signInErrorMessage(apiError('UNAUTHENTICATED'), false)).toBe('Wrong email or password.');
    expect(signInErrorMessage(apiError('MFA_REQUIRED'), false)).toMatch(/uses two-factor authentication/);
    expect(signInErrorMessage(apiError('MFA_REQUIRED'), true)).toMatch(/That code did not work/);
  });

  it('tells how long to wait after too many attempts', () => {
    expect(signInErrorMessage(apiError('RATE_LIMITED', 125), false)).toMatch(
      /^Too many sign-in attempts\. Try again in /,
    );
    expect(signInErrorMessage(apiError('RATE_LIMITED'), false)).toBe(
      'Too many sign-in attempts. Try again in a minute.',
    );
  });

  it('names the code and request of an unexpected error, and a network failure as such', () => {
    expect(signInErrorMessage(apiError('INTERNAL'), false)).toBe('Sign-in failed: refused (INTERNAL, request req-1).');
    expect(signInErrorMessage(new TypeError('Failed to fetch'), false)).toMatch(/Could not reach the server/);
  });
});
