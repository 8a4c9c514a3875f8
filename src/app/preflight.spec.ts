import { loadConfig } from '../config/app-config';
import { redisStartHint } from './preflight';

describe('redisStartHint', () => {
  const hint = (url: string) => redisStartHint(loadConfig({ REDIS_URL: url }));

  it("starts Redis on REDIS_URL's port when that is not Redis's own", () => {
    expect(hint('redis://127.0.0.1:6499')).toBe(
      '"redis-server --daemonize yes --bind 127.0.0.1 --port 6499" or "docker compose -f docker/compose.yaml up -d redis"',
    );
    expect(hint('redis://:pw@localhost:7000/3')).toContain(
      'redis-server --daemonize yes --bind 127.0.0.1 --port 7000"',
    );
  });

  it('says no port for 6379, written or not', () => {
    for (const url of ['redis://127.0.0.1:6379', 'redis://127.0.0.1', 'rediss://cache.internal/1'])
      expect(hint(url)).toMatch(/^"redis-server --daemonize yes --bind 127\.0\.0\.1" or /);
  });
});
