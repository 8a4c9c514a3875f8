import { loadConfig } from './app-config';
import { InvalidConfigError } from './config.errors';
import { redisClusterOf } from './redis-cluster';

describe('redisClusterOf', () => {
  it('is undefined for a single server', () => {
    expect(redisClusterOf('redis://127.0.0.1:6379', undefined)).toBeUndefined();
    expect(loadConfig({}).redis.cluster).toBeUndefined();
  });

  it('reads nodes, credentials and TLS from a redis+cluster:// URL', () => {
    expect(redisClusterOf('rediss+cluster://app:p%40ss:w@10.0.0.1:7000,10.0.0.2:7001', undefined)).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss:w',
      tls: true,
    });
    expect(redisClusterOf('redis+cluster://:secret@a:1', undefined)).toEqual({
      nodes: [{ host: 'a', port: 1 }],
      username: undefined,
      password: 'secret',
      tls: false,
    });
  });

  it('takes REDIS_CLUSTER_NODES as the nodes and REDIS_URL for credentials and TLS', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://:pw@ignored:6379', REDIS_CLUSTER_NODES: 'r1:7000, r2:7000' });
    expect(config.redis.cluster).toEqual({
      nodes: [
        { host: 'r1', port: 7000 },
        { host: 'r2', port: 7000 },
      ],
      username: undefined,
      password: 'pw',
      tls: true,
    });
  });

  it('refuses a cluster without nodes or with a node that is not host:port', () => {
    expect(() => redisClusterOf('redis+cluster://', undefined)).toThrow(InvalidConfigError);
    expect(() => redisClusterOf('redis+cluster://a:1,b', undefined)).toThrow('"b"');
    expect(() => redisClusterOf('redis+cluster://a:70000', undefined)).toThrow(InvalidConfigError);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1,,' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
  });
});
