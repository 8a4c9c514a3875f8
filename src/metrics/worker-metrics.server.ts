import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { safeEqualHex, sha256Hex } from '../common/crypto/hashing';
import type { AppConfig } from '../config/app-config';
import { InvalidConfigError } from '../config/config.errors';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { listenFailure } from '../config/port-check';

/** How long the ready check waits for PostgreSQL and Redis, as the API's does. */
const READY_CHECK_TIMEOUT_MS = 1500;

/**
 * A worker-only process has no API, so it serves its own /metrics (task counts and durations, breaker
 * states, process metrics) and /health/live, /health/ready on METRICS_PORT for Prometheus and probes.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server?: Server;
  /** Where it listens (`http://127.0.0.1:9464`), once it does. */
  url?: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req.url ?? '/', req.headers.authorization).then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      });
    });
    const { host } = this.config.http;
    const wanted = this.config.metrics.port;
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException): void => {
        // A start failure naming the setting, not an unhandled 'error' event.
        if (err.code !== 'EADDRINUSE') return reject(listenFailure(err, host, wanted, 'METRICS_PORT'));
        const problem =
          `${wanted} is already in use on ${host}: each worker on one host needs its own METRICS_PORT ` +
          `(or METRICS_PORT=0 for any free port)`;
        reject(new InvalidConfigError('METRICS_PORT', problem));
      };
      server.once('error', failed);
      server.listen(wanted, host, () => {
        server.off('error', failed);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.url = `http://${host}:${port}`;
    this.logger.log(`worker metrics on ${this.url}/metrics`);
  }

  private async handle(url: string, authorization?: string): Promise<{ status: number; type: string; body: string }> {
    const path = url.split('?')[0];
    if (path === '/health/live') return { status: 200, type: 'application/json', body: '{"status":"ok"}' };
    if (path === '/health/ready') {
      // Each dependency by name, as the API's /health/ready has them (Terminus's `details`); one that does not
      // answer within READY_CHECK_TIMEOUT_MS (a frozen server holds its connection open) is down.
      const state = (check: () => Promise<unknown>): Promise<{ status: 'up' | 'down' }> => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer')), READY_CHECK_TIMEOUT_MS);
        });
        return Promise.race([check(), late])
          .then(
            () => ({ status: 'up' as const }),
            () => ({ status: 'down' as const }),
          )
          .finally(() => clearTimeout(timer));
      };
      const [database, redis] = await Promise.all([
        state(() => this.dataSource.query('SELECT 1')),
        state(async () => {
          if (this.redis.status !== 'ready') throw new Error(`connection is ${this.redis.status}`);
          await this.redis.ping();
        }),
      ]);
      const ready = database.status === 'up' && redis.status === 'up';
      return {
        status: ready ? 200 : 503,
        type: 'application/json',
        body: JSON.stringify({ status: ready ? 'ok' : 'error', details: { database, redis } }),
      };
    }
    if (path !== '/metrics') return { status: 404, type: 'application/json', body: '{"status":"error"}' };
    const token = this.config.metrics.token;
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
    if (token && !safeEqualHex(sha256Hex(presented), sha256Hex(token))) {
      return { status: 401, type: 'application/json', body: '{"status":"error"}' };
    }
    return { status: 200, type: register.contentType, body: await register.metrics() };
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
