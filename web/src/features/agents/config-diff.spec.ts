import diff from 'microdiff';
import { configChanges, holdsMaskedSecret, jsonPointer, summarise, toChanges } from './config-diff';

describe('jsonPointer', () => {
  it('joins keys and indexes with slashes, from the root', () => {
    expect(jsonPointer(['retries', 'max'])).toBe('/retries/max');
    expect(jsonPointer(['headers', 0, 'name'])).toBe('/headers/0/name');
    expect(jsonPointer([])).toBe('');
  });

  it('escapes "~" as "~0" and "/" as "~1" (RFC 6901), "~" first so "~1" in a key stays itself', () => {
    expect(jsonPointer(['a/b', 'm~n'])).toBe('/a~1b/m~0n');
    expect(jsonPointer(['~1'])).toBe('/~01');
    expect(jsonPointer(['', ' '])).toBe('// ');
  });
});

describe('summarise', () => {
  it('gives short values whole, as compact JSON', () => {
    expect(summarise('PUT')).toEqual({ short: '"PUT"', full: '"PUT"', cut: false });
    expect(summarise({ a: 1, b: [true, null] })).toEqual({
      short: '{"a":1,"b":[true,null]}',
      full: '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}',
      cut: false,
    });
    expect(summarise(null).short).toBe('null');
  });

  it('cuts a long value to the length with an ellipsis, the full text kept', () => {
    const value = { url: `https://example.com/${'x'.repeat(100)}` };
    const text = summarise(value, 20);
    expect(text.cut).toBe(true);
    expect(Array.from(text.short)).toHaveLength(20);
    expect(text.short).toBe('{"url":"https://exa…');
    expect(JSON.parse(text.full)).toEqual(value);
  });

  it('keeps a value of exactly the length whole', () => {
    expect(summarise('x'.repeat(18), 20)).toMatchObject({ short: `"${'x'.repeat(18)}"`, cut: false });
  });

  it('never cuts a character in half', () => {
    const text = summarise('😀😀😀😀😀😀', 4);
    expect(text.short).toBe('"😀😀…');
  });
});

describe('toChanges', () => {
  it('turns microdiff’s differences into rows with pointer, kind and values', () => {
    const rows = toChanges(diff({ a: 1, b: { c: 'x' } }, { a: 2, d: [1] }));
    expect(rows).toEqual([
      { path: '/a', kind: 'changed', before: summarise(1), after: summarise(2) },
      { path: '/b', kind: 'removed', before: summarise({ c: 'x' }), after: null },
      { path: '/d', kind: 'added', before: null, after: summarise([1]) },
    ]);
  });
});

describe('configChanges', () => {
  it('finds nothing between equal configs, masked secrets included', () => {
    const config = { url: 'https://example.com/hook', signingSecret: '********', headers: { a: '1' } };
    expect(configChanges(config, structuredClone(config))).toEqual([]);
    expect(configChanges({}, {})).toEqual([]);
  });

  it('names nested changes by their pointer, with old and new values', () => {
    const rows = configChanges(
      { retries: { max: 3, backoff: 'linear' }, method: 'POST' },
      { retries: { max: 5, backoff: 'linear' }, method: 'POST', timeoutMs: 5000 },
    );
    expect(rows.map((r) => [r.path, r.kind, r.before?.short ?? null, r.after?.short ?? null])).toEqual([
      ['/retries/max', 'changed', '3', '5'],
      ['/timeoutMs', 'added', null, '5000'],
    ]);
  });

  it('tells a removed key from one set to null, and escapes keys with "/" and "~"', () => {
    const rows = configChanges({ 'a/b': 1, 'c~d': 2, e: 3 }, { 'a/b': null, e: 3 });
    expect(rows.map((r) => [r.path, r.kind, r.before?.short, r.after?.short ?? null])).toEqual([
      ['/a~1b', 'changed', '1', 'null'],
      ['/c~0d', 'removed', '2', null],
    ]);
  });

  it('compares arrays by position', () => {
    const rows = configChanges({ hosts: ['a', 'b'] }, { hosts: ['a', 'c', 'd'] });
    expect(rows.map((r) => [r.path, r.kind])).toEqual([
      ['/hosts/1', 'changed'],
      ['/hosts/2', 'added'],
    ]);
  });

  it('reports a value that turned from an object into an array or a string as changed, whole', () => {
    const rows = configChanges({ a: { x: 1 }, b: [1] }, { a: [1], b: 'one' });
    expect(rows.map((r) => [r.path, r.kind, r.before?.short, r.after?.short])).toEqual([
      ['/a', 'changed', '{"x":1}', '[1]'],
      ['/b', 'changed', '[1]', '"one"'],
    ]);
  });

  it('sees keys named like Object’s own members ("constructor", "toString", "__proto__")', () => {
    const before = JSON.parse('{"constructor": 1, "toString": "x", "__proto__": {"a": 1}}') as unknown;
    const rows = configChanges(before, JSON.parse('{"__proto__": {"a": 2}}') as unknown);
    expect(rows.map((r) => [r.path, r.kind])).toEqual([
      ['/constructor', 'removed'],
      ['/toString', 'removed'],
      ['/__proto__/a', 'changed'],
    ]);
    expect(configChanges({}, { constructor: 'set' }).map((r) => [r.path, r.kind])).toEqual([['/constructor', 'added']]);
  });

  it('cuts long values in a row, keeping them whole in `full`', () => {
    const long = 'y'.repeat(200);
    const [row] = configChanges({ prompt: 'short' }, { prompt: long }, 30);
    expect(row.after).toEqual({ short: `"${'y'.repeat(28)}…`, full: `"${long}"`, cut: true });
    expect(row.before).toEqual({ short: '"short"', full: '"short"', cut: false });
  });

  it('compares documents that are not both objects as a whole', () => {
    expect(configChanges({ a: 1 }, [1])).toEqual([
      { path: '', kind: 'changed', before: summarise({ a: 1 }), after: summarise([1]) },
    ]);
    expect(configChanges(null, { a: 1 })).toMatchObject([{ path: '', kind: 'changed' }]);
    expect(configChanges(null, null)).toEqual([]);
  });
});

describe('holdsMaskedSecret', () => {
  it('finds the mask at any depth, and only the whole mask', () => {
    expect(holdsMaskedSecret({ url: 'https://example.com', signingSecret: '********' })).toBe(true);
    expect(holdsMaskedSecret({ headers: { Authorization: '********' } })).toBe(true);
    expect(holdsMaskedSecret({ list: [{ key: '********' }] })).toBe(true);
    expect(holdsMaskedSecret({ precision: 3, note: 'a ******** b' })).toBe(false);
    expect(holdsMaskedSecret(null)).toBe(false);
  });
});
