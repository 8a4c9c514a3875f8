import type { ArgumentsHost } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';

interface Sent {
  status: number;
  body: { error: { code: string; message: string } };
  headers: Record<string, string>;
}

/** What the filter answers to `err`, through a minimal Express request and response. */
function answer(err: unknown): Sent {
  const sent: Sent = { status: 0, body: { error: { code: '', message: '' } }, headers: {} };
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json: (body: Sent['body']) => (sent.body = body),
  };
  const req = { method: 'POST', path: '/api/v1/things', id: 'r1' };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(err, host);
  return sent;
}

function pgError(code: string, message: string): QueryFailedError {
  return new QueryFailedError(
    'INSERT INTO things (name) VALUES ($1)',
    ['secret-value'],
    Object.assign(new Error(message), { code }),
  );
}

describe('AllExceptionsFilter', () => {
  it.each([
    ['22P02', 'invalid input syntax for type uuid: "secret-value"'],
    ['22003', 'value "1e20" is out of range for type bigint'],
    ['22008', 'date/time field value out of range'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22001', 'value too long for type character varying(200)'],
    ['23502', 'null value in column "name" of relation "things" violates not-null constraint'],
  ])('answers a Postgres data error %s with 400 VALIDATION_FAILED and nothing of the SQL or value', (code, message) => {
    const sent = answer(pgError(code, message));
    expect(sent.status).toBe(400);
    expect(sent.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(sent.body)).not.toMatch(/secret-value|INSERT|things|1e20|UTF8|column/);
  });

  it('answers a program limit (54000) with 400 BAD_REQUEST', () => {
    const sent = answer(pgError('54000', 'index row size 9000 exceeds maximum 2712 for index "things_name"'));
    expect({ status: sent.status, code: sent.body.error.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(sent.body.error.message).not.toMatch(/index|things/);
  });

  it('still answers an unexpected Postgres error with 500', () => {
    const sent = answer(pgError('42P01', 'relation "things" does not exist'));
    expect({ status: sent.status, code: sent.body.error.code }).toEqual({ status: 500, code: 'INTERNAL' });
  });

  it.each([
    Object.assign(new Error('Reached the max retries per request limit (which is 3).'), {
      name: 'MaxRetriesPerRequestError',
    }),
    new Error('Connection is closed.'),
    new Error('queue add failed', { cause: new Error('Connection is closed.') }),
    // A Redis Cluster whose master of a slot died with no replica to take over.
    Object.assign(new Error('CLUSTERDOWN The cluster is down'), { name: 'ReplyError' }),
    new Error('Too many Cluster redirections. Last error: Error: CLUSTERDOWN The cluster is down'),
  ])('answers Redis unavailability (%s) with 503 and Retry-After', (err) => {
    const sent = answer(err);
    expect({ status: sent.status, code: sent.body.error.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(sent.headers['Retry-After']).toBe('5');
  });
});
