import { charsetOf, isUtf8 } from './charset';

describe('charsetOf', () => {
  it.each([
    ['application/json', undefined],
    ['application/json; charset=utf-8', 'utf-8'],
    ['application/json;charset="UTF-8"', 'utf-8'],
    ['application/json; foo=bar; Charset = UTF8 ', 'utf8'],
    ['application/json; charset=', ''],
    ['application/json; charset="latin1"; q=1', 'latin1'],
    ['application/json; charset=utf8; charset=latin1', 'utf8,latin1'],
    ['application/json; charset=utf-8; charset=utf-8', 'utf-8,utf-8'],
  ])('%s → %s', (type, charset) => expect(charsetOf(type)).toBe(charset));
});

describe('isUtf8', () => {
  it('takes the names of UTF-8 and nothing else', () => {
    expect(['utf-8', 'utf8', 'unicode-1-1-utf-8'].every(isUtf8)).toBe(true);
    expect(['', 'utf-16', 'utf-16le', 'latin1', 'utf-8 ', 'utf_8', 'utf-32'].some(isUtf8)).toBe(false);
  });
});
