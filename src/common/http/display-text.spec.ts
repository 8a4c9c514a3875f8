import { validate } from 'class-validator';
import { IsDisplayDescription, IsDisplayText } from './display-text';

class Named {
  @IsDisplayText()
  name!: string;
}

const refused = async (name: string): Promise<boolean> =>
  (await validate(Object.assign(new Named(), { name }))).length > 0;

describe('IsDisplayText', () => {
  it.each([
    ['a line feed', 'two\nlines'],
    ['DEL', 'del\u007f'],
    ['a C1 control', 'c1\u0085'],
    ['a line separator', 'line\u2028separator'],
    ['a right-to-left override', 'invoice\u202Efdp.exe'],
    ['an isolate', 'isolate\u2066x\u2069'],
    ['the Arabic letter mark', 'mark\u061Ced'],
    ['a zero-width space', 'zero\u200Bwidth'],
    ['a word joiner', 'word\u2060joiner'],
    ['a byte order mark', '\uFEFFbom'],
    ['a soft hyphen', 'soft\u00ADhyphen'],
    ['the combining grapheme joiner', 'cgj\u034F'],
    ['a Hangul filler', '\u3164'],
    ['a halfwidth Hangul filler', 'name\uFFA0'],
    ['a Hangul choseong filler', '\u115Fx'],
    ['an invisible times', 'a\u2062b'],
    ['an invisible plus', 'a\u2064b'],
    ['a musical beam control', 'beam\u{1D173}'],
    ['a tag character alone', 'key\u{E0041}x'],
    ['an unassigned default-ignorable', 'x\u{E0FFF}'],
    ['the Mongolian vowel separator', 'a\u180Eb'],
  ])('refuses %s', async (_what, name) => {
    expect(await refused(name)).toBe(true);
  });

  it.each([
    ['plain text', 'Nightly report'],
    ['accents and other scripts', 'Café – 東京 – Ελληνικά – עברית'],
    ['a zero-width non-joiner (Persian)', 'می\u200Cخواهم'],
    ['an emoji joined by zero-width joiners', 'team 👩\u200D💻'],
    ['an emoji presentation selector', 'love \u2764\uFE0F'],
    ['a flag of a tag sequence', 'Scotland 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}'],
    ['an ideographic variation selector', '葛\u{E0100}'],
    ['a Mongolian free variation selector', 'ᠠ\u180B'],
  ])('keeps %s', async (_what, name) => {
    expect(await refused(name)).toBe(false);
  });

  it.each([[' '], ['   '], ['\t'], ['\u00A0'], ['\u3000 ']])(
    'refuses a name of spaces alone (%j), saying so',
    async (name) => {
      const [error] = await validate(Object.assign(new Named(), { name }));
      expect(error?.constraints).toEqual({ isDisplayText: 'must not be only spaces' });
    },
  );

  it.each([
    ['\u200D'],
    ['\u200C'],
    ['\uFE0F'],
    ['\u0301'],
    ['\u200D\u200D\u200D'],
    [' \u0301 '],
    ['\u2800'],
    ['\u{E0067}\u{E007F}'],
  ])('refuses a name of joiners, selectors, marks or blanks alone (%j), saying so', async (name) => {
    const [error] = await validate(Object.assign(new Named(), { name }));
    expect(error?.constraints).toEqual({
      isDisplayText: 'must have a character that shows: joiners, selectors and combining marks alone show nothing',
    });
  });

  it('keeps a name whose marks and joiners go with a character that shows', async () => {
    for (const name of ['e\u0301', '\u2764\uFE0F', '\u{1F469}\u200D\u{1F4BB}', 'a\u2800b'])
      expect(await refused(name)).toBe(false);
  });

  it('keeps spaces around a name', async () => {
    expect(await refused(' padded name ')).toBe(false);
  });

  it('leaves what is not a string to the type check', async () => {
    expect(await validate(Object.assign(new Named(), { name: 42 }))).toEqual([]);
  });
});

class Described {
  @IsDisplayDescription()
  description!: string;
}

describe('IsDisplayDescription', () => {
  const refusedDescription = async (description: string): Promise<boolean> =>
    (await validate(Object.assign(new Described(), { description }))).length > 0;

  it.each([['invoice\u202Efdp.exe'], ['bell\u0007'], ['zero\u200Bwidth'], ['line\u2028separator'], ['c1\u0085']])(
    'refuses %j as a name would',
    async (description) => {
      expect(await refusedDescription(description)).toBe(true);
    },
  );

  it.each([['two\nlines'], ['a\ttab'], ['windows\r\nlines'], [''], ['   '], ['team 👩\u200D💻']])(
    'keeps %j: lines, tabs, nothing at all',
    async (description) => {
      expect(await refusedDescription(description)).toBe(false);
    },
  );
});
