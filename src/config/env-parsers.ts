import { InvalidConfigError } from './config.errors';

/** Turns an environment string of digits into a number (anything else is left for the validator to refuse). */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
/**
 * Turns an environment string of a decimal number (`1`, `0.5`, `-1`) into a number (anything else is left for the
 * validator): a negative one is then refused by its range, saying so.
 */
export const toDecimal = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
/** Turns true/false, 1/0, yes/no, on/off into a boolean (anything else is left for the validator to refuse). */
export const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};

/** A size such as `1mb`, `512kb` or `1048576`. */
export const BYTE_SIZE = /^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** A duration setting (`15m`, `30d`, `900`) in seconds, exactly as written (`500ms` is 0.5). */
function exactSeconds(value: string): number {
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_SECONDS[match[2] ?? 's'];
}

/** A duration setting in whole seconds, one at least. */
export function parseDurationSeconds(value: string): number {
  return Math.max(1, Math.floor(exactSeconds(value)));
}

/**
 * A token lifetime: a whole second at least (`0` or `500ms` would make tokens that expire as they are issued), and
 * at most `maxDays` (a lifetime of centuries makes an expiry no date can hold, and no sign-in would work).
 */
export function ttlSeconds(setting: string, value: string, maxDays: number): number {
  const seconds = exactSeconds(value);
  if (seconds < 1) throw new InvalidConfigError(setting, `must be at least 1 second (got "${value}")`);
  if (seconds > maxDays * 86_400) throw new InvalidConfigError(setting, `must be at most ${maxDays}d (got "${value}")`);
  return Math.floor(seconds);
}
