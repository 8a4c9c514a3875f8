import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

const VERSION = 'v1';

/** The key secrets are sealed with: SECRETS_KEY, or outside production without it a fixed development key. */
export function secretsKeyOf(config: Pick<AppConfig, 'secretsKey'>): Buffer {
  return config.secretsKey ?? createHash('sha256').update('ymera-development-secrets-key').digest();
}

/**
 * AES-256-GCM for secrets at rest (agent secrets, TOTP seeds), under SECRETS_KEY. Ciphertexts read
 * `v1:<iv>:<tag>:<data>` (base64url). Outside production, without SECRETS_KEY, a fixed development key is used.
 */
@Injectable()
export class SecretsCipher {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.secretsKey)
      new Logger(SecretsCipher.name).warn('SECRETS_KEY is not set: secrets are encrypted with a development key');
    this.key = secretsKeyOf(config);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join(':');
  }

  decrypt(ciphertext: string): string {
    const [version, iv, tag, data] = ciphertext.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('Unrecognised ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}
