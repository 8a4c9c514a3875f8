import { jsonOfStorable, NotStorableError, REPLACEMENT, storable, storableJson, storableText } from './storable';

describe('storable values', () => {
  it('replaces NUL and lone surrogates with U+FFFD and keeps surrogate pairs', () => {
    expect(storableText('a\u0000b')).toBe(`a${REPLACEMENT}b`);
    expect(storableText('x\ud800y\udfffz')).toBe(`x${REPLACEMENT}y${REPLACEMENT}z`);
    expect(storableText('\udfff\ud800')).toBe(REPLACEMENT + REPLACEMENT);
    expect(storableText('ok \u{1F600} \u00e9')).toBe('ok \u{1F600} \u00e9');
  });

  it('cleans every string of a value, keys included, and leaves a clean value untouched', () => {
    const clean = { a: [1, 'two', { three: true }], b: null, c: '\u{1F600}' };
    expect(storable(clean)).toBe(clean);
    const dirty = { 'k\u0000': ['\ud800', 1, { deep: 'a\u0000' }], ok: 'fine', when: new Date(0) };
    expect(storable(dirty)).toEqual({
      [`k${REPLACEMENT}`]: [REPLACEMENT, 1, { deep: `a${REPLACEMENT}` }],
      ok: 'fine',
      when: '1970-01-01T00:00:00.000Z',
    });
    expect(dirty['k\u0000'][0]).toBe('\ud800');
  });

  it('keeps every key and its order in a copy, __proto__ included as a key', () => {
    const parsed = JSON.parse('{"first":1,"__proto__":"a\\u0000","last":{"x":"\\ud800"}}') as object;
    const cleaned = storable(parsed);
    expect(Object.keys(cleaned)).toEqual(['first', '__proto__', 'last']);
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    expect(JSON.stringify(cleaned)).toBe(`{"first":1,"__proto__":"a${REPLACEMENT}","last":{"x":"${REPLACEMENT}"}}`);
    expect(jsonOfStorable(cleaned)).toBe(JSON.stringify(cleaned));
  });

  it('gives JSON text that Postgres accepts: no \\u0000 and no lone surrogate escapes', () => {
    const text = storableJson({ s: 'a\u0000\ud800\u{1F600}' })!;
    expect(text).not.toMatch(/\\u0000|\\ud[89ab]/i);
    expect(JSON.parse(text)).toEqual({ s: `a${REPLACEMENT}${REPLACEMENT}\u{1F600}` });
    expect(storableJson(null)).toBeNull();
    expect(storableJson(undefined)).toBeNull();
  });

  it('refuses what has no JSON form with NotStorableError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    for (const value of [{ n: 10n }, cyclic, deep]) {
      expect(() => storableJson(value)).toThrow(NotStorableError);
    }
    const shared = { x: 1 };
    expect(storableJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});
