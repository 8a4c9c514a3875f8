import { splitCode } from './split-code';

describe('splitCode', () => {
  it('shows what is in backticks as code, without the backticks', () => {
    expect(splitCode('Any JSON value, sent as `input`')).toEqual([
      { text: 'Any JSON value, sent as ', code: false },
      { text: 'input', code: true },
    ]);
    expect(splitCode('`skip`: no fire while `fireAt` waits')).toEqual([
      { text: 'skip', code: true },
      { text: ': no fire while ', code: false },
      { text: 'fireAt', code: true },
      { text: ' waits', code: false },
    ]);
  });

  it('keeps a text without code, a lone backtick and an empty pair as they are', () => {
    expect(splitCode('One of {url} or {fileId}')).toEqual([{ text: 'One of {url} or {fileId}', code: false }]);
    expect(splitCode('a ` b')).toEqual([{ text: 'a ` b', code: false }]);
    expect(splitCode('a `` b `c`')).toEqual([
      { text: 'a `` b ', code: false },
      { text: 'c', code: true },
    ]);
    expect(splitCode('`a` b ` c')).toEqual([
      { text: 'a', code: true },
      { text: ' b ` c', code: false },
    ]);
    expect(splitCode('')).toEqual([]);
  });
});
