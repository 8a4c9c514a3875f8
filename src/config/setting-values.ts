import { InvalidConfigError } from './config.errors';

/** Checks and shapes of single setting values that `loadConfig` applies after validation. */

/** Values that appear in examples and must never protect a production deployment. */
const PLACEHOLDER_SECRETS = [
  'changeme',
  'change-me',
  'secret',
  'jwt_secret',
  'your-secret',
  'your_jwt_secret',
  'replace-me',
  'please-change-me',
  'ymera',
  'development',
];

export function looksLikePlaceholder(secret: string): boolean {
  if (new Set(secret).size < 8) return true;
  // What is left once the well-known words and separators are taken out must still be a secret.
  let rest = secret.toLowerCase();
  for (const word of PLACEHOLDER_SECRETS) rest = rest.split(word).join('');
  return rest.replace(/[\s\-_.:0-9]/g, '').length < 16;
}

/** A URL setting that passed its pattern but that a URL parser refuses (`postgres://[host/db`). */
export function parseUrl(setting: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new InvalidConfigError(setting, `is not a valid URL (got "${withoutPassword(value)}")`);
  }
}

/**
 * A value as it may be printed: the password of a URL in it (`scheme://user:password@host`) left out, up to the
 * value's last `@`, so that a password holding a `/`, `:` or `@` of its own (not escaped) is not shown either.
 */
export function withoutPassword(value: string): string {
  return value.replace(/(\/\/[^/:@\s]*):\S*@/g, '$1:***@');
}
