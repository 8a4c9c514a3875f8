import { malformedEscapeIn } from './setting-rules';

describe('malformedEscapeIn', () => {
  it('finds no fault in URLs whose escapes decode, or that have none', () => {
    for (const url of [
      'postgres://postgres@127.0.0.1:5432/ymera',
      'postgres://app:p%40ss%25w%3Ard@db.internal:5432/my%20db',
      'postgresql://caf%C3%A9:%E2%82%AC@db/x',
      'redis://:s3cret@127.0.0.1:6379/2',
      'rediss+cluster://app:p%40ss:w@10.0.0.1:7000,10.0.0.2:7001',
      // The query is no part the clients decode strictly (URLSearchParams takes a stray "%").
      'postgres://u@db/x?application_name=100%',
      '',
    ])
      expect(malformedEscapeIn(url)).toBeUndefined();
  });

  it('names the part holding a "%" that begins no escape, or an escape of bytes that are not UTF-8', () => {
    expect(malformedEscapeIn('postgres://postgres@127.0.0.1:5432/x%zz')).toBe('path');
    expect(malformedEscapeIn('postgres://postgres:ab%zz@127.0.0.1:5432/x')).toBe('password');
    expect(malformedEscapeIn('postgres://us%e9r@db/x')).toBe('user');
    expect(malformedEscapeIn('postgres://u@db%zz:5432/x')).toBe('host');
    expect(malformedEscapeIn('postgres://u:pw@db/x%')).toBe('path');
    expect(malformedEscapeIn('postgres://u:pw%4@db/x')).toBe('password');
    expect(malformedEscapeIn('redis://:ab%zz@127.0.0.1:6390')).toBe('password');
    expect(malformedEscapeIn('rediss+cluster://app:p%zz@a:7000,b:7001')).toBe('password');
  });

  it('reads the user information up to the last "@" of the authority, and the password past the first ":"', () => {
    expect(malformedEscapeIn('postgres://u:p@ss%zz@db/x')).toBe('password');
    expect(malformedEscapeIn('postgres://u:a:b%zz@db/x')).toBe('password');
    // An "@" past the authority is the path's.
    expect(malformedEscapeIn('postgres://db/x@%zz')).toBe('path');
  });
});
