import type { AppConfig } from '../config/app-config';
import type { WorkerReadiness } from '../health/worker-readiness';
import { WorkerMetricsServer } from './worker-metrics.server';

describe("a worker's own metrics server", () => {
  let server: WorkerMetricsServer;

  beforeAll(async () => {
    const config = {
      http: { host: '127.0.0.1' },
      metrics: { port: 0, token: 'metrics-token' },
    } as unknown as AppConfig;
    const readiness = { check: async () => ({ ok: true, result: { status: 'ok' } }) } as unknown as WorkerReadiness;
    server = new WorkerMetricsServer(config, readiness);
    await server.onApplicationBootstrap();
  });
  afterAll(() => server.onApplicationShutdown());

  it('refuses /metrics without its token, and answers an unknown path, in the API’s error envelope', async () => {
    for (const [path, headers, status, code] of [
      ['/metrics', {}, 401, 'UNAUTHENTICATED'],
      ['/metrics', { authorization: 'Bearer wrong' }, 401, 'UNAUTHENTICATED'],
      ['/health', {}, 404, 'NOT_FOUND'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { headers });
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({
        status: 'error',
        error: { code, message: expect.any(String) },
        meta: { timestamp: expect.any(String), requestId: expect.any(String) },
      });
    }
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer metrics-token' } });
    expect(scraped.status).toBe(200);
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
  });
});
