import type { ValidationError } from 'class-validator';
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

/** A URL's scheme and the slashes after it, however many were typed (`postgres://`, `postgres:/`, `redis:`). */
const SCHEME = /^[a-z][a-z0-9+.-]*:\/*/i;

/**
 * A value as it may be printed: what a URL in it holds before its host (`user:password@`) left out but the user,
 * up to the value's last `@`, so that a password holding a `/`, `:` or `@` of its own (not escaped) is not shown
 * either, nor one in a URL mistyped without its slashes (`postgres:/user:password@host`, `postgres:user:…`). A
 * value without a `:` there (`redis://token@host`) may be a secret alone: it is left out whole.
 */
export function withoutPassword(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const start = Math.min(SCHEME.exec(value)?.[0].length ?? 0, at);
  const userinfo = value.slice(start, at);
  const colon = userinfo.indexOf(':');
  return `${value.slice(0, start)}${colon < 0 ? '***' : `${userinfo.slice(0, colon)}:***`}${value.slice(at)}`;
}

/** The refusal of the first bad setting: what is wrong with it, and its value unless it may be a secret. */
export function invalidSetting(first: ValidationError, raw: Record<string, unknown>): InvalidConfigError {
  const constraints = first.constraints ?? {};
  // A type error explains more than a range error about the same unparsable value.
  const problem =
    constraints.isInt ?? constraints.isNumber ?? constraints.isBoolean ?? Object.values(constraints)[0] ?? 'is invalid';
  // A URL with a malformed escape may hold it in its password: its message names the part instead.
  const shown =
    /SECRET|PASSWORD|TOKEN|KEY/.test(first.property) || constraints.escapesDecode
      ? ''
      : ` (got "${withoutPassword(String(raw[first.property]))}")`;
  return new InvalidConfigError(first.property, problem.replace(`${first.property} `, '') + shown);
}
