import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED_PATHS } from './logging.module';

describe('log redaction', () => {
  it('removes credentials, tokens and secrets from log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer eyJhbGciOi.secret', cookie: 'sid=abc', 'x-api-key': 'ymk_live_123' } },
        body: { email: 'a@b.c', password: 'hunter2-hunter2', refreshToken: 'rt-123', config: { apiKey: 'sk-live' } },
        password: 'top-level-password',
      },
      'request',
    );
    const line = lines.join('');
    for (const secret of [
      'eyJhbGciOi',
      'sid=abc',
      'ymk_live_123',
      'hunter2',
      'rt-123',
      'sk-live',
      'top-level-password',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('a@b.c');
    expect(line).toContain('[redacted]');
  });
});
