import { ApiError, UnreachableError } from '../../api/errors';
import { groupSecret, mfaErrorMessage, secondFactor } from './mfa';

describe('secondFactor', () => {
  it('reads six digits as a code from the app', () => {
    expect(secondFactor('123456')).toEqual({ code: '123456' });
    expect(secondFactor(' 123 456 ')).toEqual({ code: '123456' });
  });

  it('reads 16 base32 characters as a recovery code, with or without dashes, in any case', () => {
    expect(secondFactor('ABCD-EFGH-IJKL-MNOP')).toEqual({ recoveryCode: 'ABCD-EFGH-IJKL-MNOP' });
    expect(secondFactor('abcdefghijklmn23')).toEqual({ recoveryCode: 'abcdefghijklmn23' });
  });

  it('is null for anything else', () => {
    expect(secondFactor('')).toBeNull();
    expect(secondFactor('12345')).toBeNull();
    expect(secondFactor('1234567')).toBeNull();
    expect(secondFactor('ABCD-EFGH-IJKL-MNO1')).toBeNull();
  });
});

describe('groupSecret', () => {
  it('groups a secret by four', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSW')).toBe('JBSW Y3DP EHPK 3PXP JBSW');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
    expect(groupSecret('')).toBe('');
  });
});

describe('mfaErrorMessage', () => {
  const err = (code: string, status = 401) => new ApiError(status, code, 'refused', 'req-9');
  it('says a refused code in words', () => {
    expect(mfaErrorMessage(err('MFA_REQUIRED'))).toMatch(/^That code did not work/);
    expect(mfaErrorMessage(err('VALIDATION_FAILED', 400))).toMatch(/6-digit code/);
    expect(mfaErrorMessage(err('INVALID_STATE', 409))).toMatch(/reload the page/);
    expect(mfaErrorMessage(err('RATE_LIMITED', 429))).toMatch(/wait a minute/);
  });
  it('names the code and request of anything unexpected', () => {
    expect(mfaErrorMessage(err('INTERNAL', 500))).toBe('refused (INTERNAL, request req-9).');
    expect(mfaErrorMessage(new TypeError('Failed to fetch'))).toMatch(/Could not reach the server/);
    expect(mfaErrorMessage(new UnreachableError())).toMatch(/Could not reach the server/);
  });
});
