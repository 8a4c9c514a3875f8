import { Writable } from 'node:stream';
import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { REDACTED_PATHS } from '../logging/logging.module';
import { executionLogger } from './execution-logger';

/** A Nest logger that hands its calls to pino as nestjs-pino does (fields object first, then the message). */
class PinoBackedLogger implements Pick<LoggerService, 'debug' | 'log' | 'warn'> {
  readonly lines: Record<string, unknown>[] = [];
  private readonly pino = pino(
    { level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  debug(fields: object, message: string) {
    this.pino.debug(fields, message);
  }
  log(fields: object, message: string) {
    this.pino.info(fields, message);
  }
  warn(fields: object, message: string) {
    this.pino.warn(fields, message);
  }
}

describe('executionLogger', () => {
  const ids = { taskId: 't-1', agentId: 'a-1', attempt: 2 };

  it("logs the agent's fields as fields, so secrets among them are redacted", () => {
    const sink = new PinoBackedLogger();
    const log = executionLogger(sink, ids);
    log.info('calling the provider', { apiKey: 'sk-live-123', request: { password: 'hunter2' }, model: 'm-1' });
    log.warn('slow answer', { ms: 900 });
    log.debug('raw', { token: 'tok-1' });

    const text = JSON.stringify(sink.lines);
    for (const secret of ['sk-live-123', 'hunter2', 'tok-1']) expect(text).not.toContain(secret);
    expect(sink.lines).toEqual([
      expect.objectContaining({ msg: 'calling the provider', model: 'm-1', apiKey: '[redacted]', ...ids }),
      expect.objectContaining({ msg: 'slow answer', ms: 900, level: 40, ...ids }),
      expect.objectContaining({ msg: 'raw', token: '[redacted]', level: 20, ...ids }),
    ]);
  });

  it('keeps the ids of the task it runs, whatever fields the agent passes', () => {
    const sink = new PinoBackedLogger();
    executionLogger(sink, ids).info('spoof', { taskId: 'other', attempt: 99 });
    expect(sink.lines[0]).toMatchObject(ids);
  });
});
