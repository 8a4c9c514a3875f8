import { publicReason } from './health-result';

describe('publicReason', () => {
  it('keeps the platform’s own words and a system error’s code, never an address, host, database or user', () => {
    expect(publicReason('timeout of 1500ms exceeded')).toBe('timeout of 1500ms exceeded');
    expect(publicReason('connection is reconnecting')).toBe('connection is reconnecting');
    expect(publicReason('migrations are pending: run npm run migration:run')).toBe(
      'migrations are pending: run npm run migration:run',
    );
    expect(publicReason('connect ECONNREFUSED 10.0.0.5:5432')).toBe('ECONNREFUSED');
    expect(publicReason('getaddrinfo ENOTFOUND db.internal.example')).toBe('ENOTFOUND');
    for (const message of ['password authentication failed for user "ymera"', 'database "prod_ymera" does not exist'])
      expect(publicReason(message)).toBe('failed (the log says why)');
  });
});
