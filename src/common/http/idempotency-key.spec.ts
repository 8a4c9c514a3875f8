import { AppError } from '../errors/app.error';
import { checkedIdempotencyKey, sameRequest } from './idempotency-key';

function refusal(header: string): unknown {
  try {
    checkedIdempotencyKey(header);
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, details: err.details };
    throw err;
  }
  return undefined;
}

describe('Idempotency-Key', () => {
  it('takes 1-255 visible ASCII characters, and no header at all', () => {
    expect(checkedIdempotencyKey(undefined)).toBeUndefined();
    expect(checkedIdempotencyKey('order-42/retry:1')).toBe('order-42/retry:1');
    expect(checkedIdempotencyKey('k'.repeat(255))).toBe('k'.repeat(255));
  });

  it.each(['', 'has space', 'k'.repeat(256), 'naïve'])('refuses %j, naming the header', (header) => {
    expect(refusal(header)).toEqual({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }],
    });
  });

  it.each(['schedule:x', 'hook:x:1', 'trigger:x', 'batch:x:0'])('refuses %s, kept for the platform', (header) => {
    expect(refusal(header)).toEqual({
      code: 'VALIDATION_FAILED',
      details: [
        {
          field: 'Idempotency-Key',
          message: 'must not begin with schedule:, hook:, trigger:, batch: (kept for the platform)',
        },
      ],
    });
  });

  it('compares requests as JSON, whatever the order of their keys', () => {
    expect(sameRequest({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameRequest({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [2, 1] } })).toBe(false);
    expect(sameRequest({ a: 1 }, { a: '1' })).toBe(false);
  });
});
