import { jsonText } from './json-text';

describe('jsonText', () => {
  it('writes direction controls as escapes, so a value reads as it is, and stays the same JSON', () => {
    const value = { x: 'abc\u202Egnp.exe\u202C', y: 'a\u2067b\u200Fc' };
    const text = jsonText(value);
    expect(text).toBe('{\n  "x": "abc\\u202egnp.exe\\u202c",\n  "y": "a\\u2067b\\u200fc"\n}');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('leaves other text as JSON.stringify writes it', () => {
    expect(jsonText({ a: 'héllo ✓ עברית', b: [1, null] })).toBe(
      JSON.stringify({ a: 'héllo ✓ עברית', b: [1, null] }, null, 2),
    );
    expect(jsonText(undefined)).toBe('undefined');
  });
});
