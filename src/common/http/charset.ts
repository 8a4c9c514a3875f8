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

/**
 * The `charset` parameter of a Content-Type, lower-cased and unquoted; undefined when it has none. Given more
 * than once, every value, comma-separated (`utf8,latin1`): the name of no charset, so such a type is refused.
 */
export function charsetOf(contentType: string): string | undefined {
  const found: string[] = [];
  for (const param of contentType.split(';').slice(1)) {
    const [name, ...value] = param.split('=');
    if (name.trim().toLowerCase() === 'charset')
      found.push(
        value
          .join('=')
          .trim()
          .replace(/^"(.*)"$/, '$1')
          .toLowerCase(),
      );
  }
  return found.length ? found.join(',') : undefined;
}

/** Whether `charset` (as {@link charsetOf} returns it) names UTF-8. */
export function isUtf8(charset: string): boolean {
  return UTF8_LABELS.has(charset);
}
