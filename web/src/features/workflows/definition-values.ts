/** How the definition's checks read the JSON values typed into the editor. */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, as a problem names it: `a string`, `an array`, `null`. */
export function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One problem, at a JSON pointer into the definition (`/steps/1/dependsOn`), or `''` for the whole of it. */
export interface Problem {
  pointer: string;
  message: string;
}
