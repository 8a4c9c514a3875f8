const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|totp|^code$|^key$|credential|private/i;
export const MASK = '********';

/** A copy of `value` with every secret-looking field masked, to any depth. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return MASK;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && v !== null && v !== undefined ? MASK : redactSecrets(v, depth + 1),
      ]),
    );
  }
  return value;
}
