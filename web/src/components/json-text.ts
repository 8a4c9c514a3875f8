/**
 * Characters that reorder the text around them (bidirectional overrides, embeddings, isolates, marks) or hide:
 * in a value they make `"abc\u202Egnp.exe"` read as `"abcexe.png"`. JSON text has them only inside strings.
 */
const DIRECTION_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** A value as indented JSON text, its direction controls written as `\u202e` escapes (still the same JSON). */
export function jsonText(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, null, 2).replace(
    DIRECTION_CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
