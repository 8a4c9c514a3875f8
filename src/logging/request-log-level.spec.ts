import { requestLogLevel } from './logging.module';

describe('the level of a request’s log line', () => {
  it('is an error for a failure of the server, a warning for a refusal or a dependency away, info otherwise', () => {
    expect([200, 204, 302, 400, 401, 404, 429, 500, 502, 503, 504].map((s) => `${s} ${requestLogLevel(s)}`)).toEqual([
      '200 info',
      '204 info',
      '302 info',
      '400 warn',
      '401 warn',
      '404 warn',
      '429 warn',
      '500 error',
      '502 error',
      '503 warn',
      '504 error',
    ]);
  });

  it('is debug for a console file served (a page loads dozens), as any request when it fails', () => {
    expect([200, 304, 404, 500].map((s) => `${s} ${requestLogLevel(s, true)}`)).toEqual([
      '200 debug',
      '304 debug',
      '404 warn',
      '500 error',
    ]);
  });
});
