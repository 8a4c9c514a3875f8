import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The HMAC key of a `whsec_…` secret: the bytes its base64 part encodes. */
function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('A signing secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** The headers of one attempt, per Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`. */
export function signatureHeaders(
  secret: string,
  messageId: string,
  body: string,
  at: Date = new Date(),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = sign(secret, messageId, timestamp, body).toString('base64');
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

function sign(secret: string, messageId: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${messageId}.${timestamp}.`).update(body).digest();
}

/** How far a signed message's timestamp may be from now, either way (the Standard Webhooks default). */
export const SIGNATURE_TOLERANCE_S = 5 * 60;

/** The headers a signed message comes with, as received (any may be missing). */
export interface SignedMessage {
  id?: string;
  timestamp?: string;
  signature?: string;
  body: Buffer;
}

/**
 * Whether a received message carries a valid signature of `secret`: an id, a timestamp within
 * {@link SIGNATURE_TOLERANCE_S} of `now`, and among the space-separated `v1,<base64>` signatures one that is
 * the HMAC-SHA256 of `id.timestamp.body` (compared in constant time). Returns why not, or undefined when valid.
 */
export function signatureProblem(secret: string, message: SignedMessage, now: Date = new Date()): string | undefined {
  const { id, timestamp, signature, body } = message;
  if (!id || !timestamp || !signature) return 'webhook-id, webhook-timestamp and webhook-signature are required';
  if (!/^\d{1,12}$/.test(timestamp)) return 'webhook-timestamp is not a Unix time in seconds';
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_S)
    return 'webhook-timestamp is too far from now';
  const expected = sign(secret, id, timestamp, body);
  const matches = signature.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? undefined : 'no valid v1 signature';
}
