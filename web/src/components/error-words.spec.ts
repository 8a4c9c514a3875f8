import { ApiError, UNREACHABLE_MESSAGE } from '../api/errors';
import { NO_SUCH_ID, errorReference, failureWords, isMalformedAddress } from './error-words';

const malformedId = new ApiError(400, 'BAD_REQUEST', 'Validation failed (uuid is expected)', 'req-1', [
  { field: 'path', message: 'id must be a UUID' },
]);

describe('failureWords', () => {
  it('says an address whose id is malformed in plain words, as a 404 would, not as a validation failure', () => {
    expect(isMalformedAddress(malformedId)).toBe(true);
    expect(failureWords(malformedId)).toBe(NO_SUCH_ID);
    expect(failureWords(malformedId)).not.toMatch(/uuid|Validation/i);
    // Text in the path that cannot be stored is the address's fault too.
    const badText = new ApiError(400, 'VALIDATION_FAILED', 'Validation failed', 'req-2', [
      { field: 'path', message: 'has characters that cannot be stored' },
    ]);
    expect(failureWords(badText)).toBe(NO_SUCH_ID);
  });

  it('keeps what the server said for any other refusal, a body field named path included', () => {
    expect(failureWords(new ApiError(404, 'NOT_FOUND', 'Task not found', 'req-3'))).toBe('Task not found');
    const bodyField = new ApiError(400, 'VALIDATION_FAILED', 'Validation failed', 'req-4', [
      { field: '/path', message: 'must be a string' },
    ]);
    expect(isMalformedAddress(bodyField)).toBe(false);
    expect(failureWords(bodyField)).toBe('Validation failed');
    const forbidden = new ApiError(403, 'FORBIDDEN', 'No', undefined, [{ field: 'path', message: 'x' }]);
    expect(failureWords(forbidden)).toBe('No');
  });

  it('says a failure without an answer as the console does, or the fallback given', () => {
    expect(failureWords(new TypeError('Failed to fetch'))).toBe(UNREACHABLE_MESSAGE);
    expect(failureWords(new Error('boom'))).toBe('boom');
    expect(failureWords(null, 'Something went wrong')).toBe('Something went wrong');
  });
});

describe('errorReference', () => {
  it('gives the code and request id of an answered failure, and nothing for one without an answer', () => {
    expect(errorReference(malformedId)).toEqual({ code: 'BAD_REQUEST', requestId: 'req-1' });
    expect(errorReference(new ApiError(409, 'CONFLICT', 'Taken', undefined))).toEqual({ code: 'CONFLICT' });
    expect(errorReference(new TypeError('Failed to fetch'))).toBeNull();
    expect(errorReference(undefined)).toBeNull();
  });
});
