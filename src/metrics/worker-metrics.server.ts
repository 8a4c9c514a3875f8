import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { register } from 'prom-client';
import { safeEqualHex, sha256Hex } from '../common/crypto/hashing';
import { ErrorCode } from '../common/errors/error-code';
import { errorEnvelope } from '../common/http/envelope';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { WorkerReadiness } from '../health/worker-readiness';
import { listenFailure } from '../config/port-check';

/** An answer in the API's error envelope. */
function failure(status: number, code: ErrorCode, message: string): { status: number; type: string; body: string } {
  return { status, type: 'application/json; charset=utf-8', body: JSON.stringify(errorEnvelope(code, message)) };
}

/** What to do when METRICS_PORT is taken: another worker on this host is the usual holder. */
const TAKEN_HINT = 'each worker on one host needs its own METRICS_PORT (or METRICS_PORT=0 for any free port)';

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
    private readonly readiness: WorkerReadiness,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req.url ?? '/', req.headers.authorization)
        .catch(() => failure(500, ErrorCode.INTERNAL, 'The request could not be answered'))
        .then(({ status, type, body }) => {
          res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
          res.end(body);
        });
    });
    const { host } = this.config.http;
    const wanted = this.config.metrics.port;
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      // A start failure naming the setting, not an unhandled 'error' event.
      const failed = (err: NodeJS.ErrnoException): void =>
        reject(listenFailure(err, host, wanted, 'METRICS_PORT', TAKEN_HINT));
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
      const { ok, result } = await this.readiness.check();
      return { status: ok ? 200 : 503, type: 'application/json', body: JSON.stringify(result) };
    }
    if (path !== '/metrics')
      return failure(404, ErrorCode.NOT_FOUND, `Cannot GET ${path}: this port serves /metrics and /health`);
    const token = this.config.metrics.token;
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
    if (token && !safeEqualHex(sha256Hex(presented), sha256Hex(token))) {
      return failure(401, ErrorCode.UNAUTHENTICATED, 'A valid metrics token is required');
    }
    return { status: 200, type: register.contentType, body: await register.metrics() };
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
