/**
 * The labels the WHATWG Encoding Standard gives UTF-8 (https://encoding.spec.whatwg.org/#names-and-labels):
 * `utf8` is as common from clients as `utf-8`, and means the same bytes.
 */
const UTF8_LABELS = new Set([
  'utf-8',
  'utf8',
  'unicode-1-1-utf-8',
  'unicode11utf8',
  'unicode20utf8',
  'x-unicode20utf8',
]);

/** The `charset` parameter of a Content-Type, lower-cased and unquoted; undefined when it has none. */
export function charsetOf(contentType: string): string | undefined {
  for (const param of contentType.split(';').slice(1)) {
    const [name, ...value] = param.split('=');
    if (name.trim().toLowerCase() === 'charset')
      return value
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
  }
  return undefined;
}

/** Whether `charset` (as {@link charsetOf} returns it) names UTF-8. */
export function isUtf8(charset: string): boolean {
  return UTF8_LABELS.has(charset);
}
