import { Logger } from '@nestjs/common';
import type { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { ReadDatabase } from './read-database';

/** The replica lag gauge: the last value set. */
class FakeGauge {
  value?: number;
  set(value: number): void {
    this.value = value;
  }
}

describe('ReadDatabase', () => {
  afterEach(() => jest.restoreAllMocks());

  it('says in the log when the replica it was given cannot be reached at its first check, and only once', async () => {
    const warnings: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    const config = loadConfig({
      APP_ROLE: 'api',
      // A port nothing listens on.
      DATABASE_READ_URL: 'postgres://postgres@127.0.0.1:1/ymera',
      DATABASE_READ_CHECK_MS: '60000',
    });
    const gauge = new FakeGauge();
    const reads = new ReadDatabase({} as DataSource, config, gauge as unknown as Gauge<string>);
    await reads.check();
    await reads.check();
    expect(warnings).toEqual([expect.stringMatching(/^read replica down: .*ECONNREFUSED/)]);
    expect(reads.status()).toEqual(expect.objectContaining({ condition: 'down' }));
    expect(gauge.value).toBe(-1);
    await reads.onApplicationShutdown();
  });
});
