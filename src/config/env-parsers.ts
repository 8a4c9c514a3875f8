/** Turns an environment string of digits into a number (anything else is left for the validator to refuse). */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
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
