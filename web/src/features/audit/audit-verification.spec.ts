import { ApiError } from '../../api/errors';
import { verificationErrorInWords, verificationInWords } from './audit-verification';

describe('verificationInWords', () => {
  it('says the chain is intact and how many entries were checked, numbers grouped', () => {
    expect(verificationInWords({ valid: true, checked: 1234 })).toEqual({
      tone: 'intact',
      text: 'The audit chain is intact: 1,234 entries checked.',
    });
    expect(verificationInWords({ valid: true, checked: 1 }).text).toBe('The audit chain is intact: 1 entry checked.');
    expect(verificationInWords({ valid: true, checked: 0 }).text).toBe(
      'The audit chain is intact: it has no entries yet.',
    );
  });

  it('names the first broken entry, where it is in the chain and what that means', () => {
    const id = '8f14e45f-ceea-467f-a0e6-0b5e3a2b7c1d';
    const result = verificationInWords({ valid: false, checked: 1501, firstBrokenId: id });
    expect(result.tone).toBe('broken');
    expect(result.text).toBe(
      `The chain is broken at entry ${id} (number 1,501 in chain order): its hash or its link to the entry ` +
        'before does not match. The 1,500 entries before it are intact; that entry and every later one may ' +
        'have been altered.',
    );
  });

  it('still says where when the API names no entry', () => {
    expect(verificationInWords({ valid: false, checked: 2 }).text).toMatch(
      /^The chain is broken at entry number 2 in chain order: .* The 1 entry before it is intact;/,
    );
  });
});

describe('verificationInWords after retention', () => {
  it('says the check started from a signed checkpoint', () => {
    expect(verificationInWords({ valid: true, checked: 10, anchor: { kind: 'checkpoint', seq: '1000000' } }).text).toBe(
      'The audit chain is intact: 10 entries checked. Entries up to number 1,000,000 were archived; the check ' +
        'started from their signed checkpoint.',
    );
  });

  it('says when the checkpoint itself was altered', () => {
    const result = verificationInWords({ valid: false, checked: 0, reason: 'checkpoint' });
    expect(result.tone).toBe('broken');
    expect(result.text).toMatch(/^The signed checkpoint the chain starts from does not match its signature/);
  });
});

describe('verificationErrorInWords', () => {
  it('gives the error code and request id of a refused verification', () => {
    const error = new ApiError(403, 'FORBIDDEN', 'You do not have permission to do this', 'req-9');
    expect(verificationErrorInWords(error)).toEqual({
      tone: 'error',
      text: 'The chain could not be verified: You do not have permission to do this (FORBIDDEN, request req-9).',
    });
  });

  it('says a network failure as it is', () => {
    expect(verificationErrorInWords(new TypeError('Failed to fetch')).text).toBe(
      'The chain could not be verified: Failed to fetch.',
    );
  });
});
