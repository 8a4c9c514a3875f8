/** NUL (which Postgres cannot store in text or jsonb) and UTF-16 surrogates, paired or not. */
// eslint-disable-next-line no-control-regex -- NUL is what it looks for
const SUSPECT = /[\u0000\ud800-\udfff]/;
/** NUL, or a surrogate without its other half (which no UTF-8 encoder can write). */
// eslint-disable-next-line no-control-regex -- NUL is what it looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text Postgres and every encoder can take: no NUL, no lone surrogate. A module of its own, importing nothing: the
 * workflow templates' threads load it too.
 */
export function isStorableText(s: string): boolean {
  return !SUSPECT.test(s) || !UNSTORABLE.test(s);
}
