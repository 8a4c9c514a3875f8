import { createHmac, timingSafeEqual } from 'node:crypto';
import { newSigningSecret, signatureHeaders } from './webhook-signature';

/** A receiver's check, written from the Standard Webhooks spec rather than from the signer. */
function verifies(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.split('_')[1], 'base64');
  const expected = createHmac('sha256', key)
    .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`)
    .digest();
  return headers['webhook-signature'].split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    const given = Buffer.from(value, 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe('webhook signatures', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(secret);
  });

  it('signs id.timestamp.body with the decoded secret, as a receiver verifies it', () => {
    const secret = newSigningSecret();
    const body = JSON.stringify({ type: 'task.succeeded', data: { id: 'x' } });
    const headers = signatureHeaders(secret, 'msg_1', body, new Date('2030-01-01T00:00:00.900Z'));
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe('1893456000');
    expect(verifies(secret, headers, body)).toBe(true);
    expect(verifies(secret, headers, `${body} `)).toBe(false);
    expect(verifies(newSigningSecret(), headers, body)).toBe(false);
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From standard-webhooks/standard-webhooks (libraries' shared test case).
    const headers = signatureHeaders(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      '{"test": 2432232314}',
      new Date(1614265330 * 1000),
    );
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('refuses a secret not in the whsec_ form', () => {
    expect(() => signatureHeaders('plain', 'msg_1', '{}')).toThrow(/whsec_/);
  });
});
