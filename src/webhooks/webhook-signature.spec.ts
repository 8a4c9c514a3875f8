import { createHmac, timingSafeEqual } from 'node:crypto';
import { newSigningSecret, signatureHeaders, signatureProblem } from './webhook-signature';

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

  it('verifies what it signs, over the raw bytes, within five minutes either way', () => {
    const secret = newSigningSecret();
    const body = '{"a": 1}';
    const at = new Date('2030-01-01T00:00:00Z');
    const headers = signatureHeaders(secret, 'msg_1', body, at);
    const message = {
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signature: `v1,bm90LWl0 ${headers['webhook-signature']}`,
      body: Buffer.from(body),
    };
    expect(signatureProblem(secret, message, at)).toBeUndefined();
    expect(signatureProblem(secret, message, new Date(at.getTime() + 300_000))).toBeUndefined();
    expect(signatureProblem(secret, message, new Date(at.getTime() + 301_000))).toBe(
      'webhook-timestamp is too far from now',
    );
    expect(signatureProblem(secret, message, new Date(at.getTime() - 301_000))).toBe(
      'webhook-timestamp is too far from now',
    );
    expect(signatureProblem(secret, { ...message, body: Buffer.from('{"a":1}') }, at)).toBe('no valid v1 signature');
    expect(signatureProblem(newSigningSecret(), message, at)).toBe('no valid v1 signature');
    expect(signatureProblem(secret, { ...message, id: 'msg_2' }, at)).toBe('no valid v1 signature');
    expect(
      signatureProblem(secret, { ...message, signature: headers['webhook-signature'].replace('v1', 'v2') }, at),
    ).toBe('no valid v1 signature');
    expect(signatureProblem(secret, { ...message, timestamp: 'soon' }, at)).toMatch(/Unix time/);
    expect(signatureProblem(secret, { ...message, id: undefined }, at)).toMatch(/required/);
  });
});
