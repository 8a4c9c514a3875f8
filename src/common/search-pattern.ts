/**
 * An `ILIKE` pattern that finds `text` anywhere in a value, its own `%`, `_` and `\` taken literally (PostgreSQL's
 * default escape character is `\`), so a search for "50%" finds "50%", not every value with "50".
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}
