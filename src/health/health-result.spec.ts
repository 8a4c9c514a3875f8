import type { Logger } from '@nestjs/common';
import { DownReasons, publicReason } from './health-result';

describe('publicReason', () => {
  it('keeps the platform’s own words and a system error’s code, never an address, host, database or user', () => {
    expect(publicReason('timeout of 1500ms exceeded')).toBe('timeout of 1500ms exceeded');
    expect(publicReason('connection is reconnecting')).toBe('connection is reconnecting');
    expect(publicReason('migrations are pending: run npm run migration:run')).toBe(
      'migrations are pending: run npm run migration:run',
    );
    expect(publicReason('connect ECONNREFUSED 10.0.0.5:5432')).toBe('ECONNREFUSED');
    expect(publicReason('getaddrinfo ENOTFOUND db.internal.example')).toBe('ENOTFOUND');
    expect(publicReason('getaddrinfo EAI_AGAIN db.internal.example')).toBe('EAI_AGAIN');
    expect(publicReason('read ECONNRESET')).toBe('ECONNRESET');
    for (const message of [
      'password authentication failed for user "ymera"',
      'database "prod_ymera" does not exist',
      'password authentication failed for user "ETLUSER"',
      'database "EVENTS" does not exist',
    ])
      expect(publicReason(message)).toBe('failed (the log says why)');
  });
});

describe('DownReasons', () => {
  it('logs a component’s reason when it changes, not on every probe, and again after the component was up', () => {
    const lines: string[] = [];
    const reasons = new DownReasons({ warn: (line: string) => lines.push(line) } as unknown as Logger);
    const down = (entries: [string, string][]) => reasons.note(new Map(entries));
    down([['database', 'connect ECONNREFUSED 10.0.0.5:5432']]);
    down([['database', 'connect ECONNREFUSED 10.0.0.5:5432']]);
    down([
      ['database', 'timeout of 1500ms exceeded'],
      ['redis', 'connection is reconnecting'],
    ]);
    down([]);
    down([['database', 'timeout of 1500ms exceeded']]);
    expect(lines).toEqual([
      'health: database is down: connect ECONNREFUSED 10.0.0.5:5432',
      'health: database is down: timeout of 1500ms exceeded',
      'health: redis is down: connection is reconnecting',
      'health: database is down: timeout of 1500ms exceeded',
    ]);
  });
});
