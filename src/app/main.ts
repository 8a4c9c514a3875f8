import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import pino from 'pino';
import { WorkerMetricsServer } from '../metrics/worker-metrics.server';
import { createHttpApp, createWorkerContext } from './bootstrap';
import { AppConfig, loadConfig } from '../config/app-config';
import { InvalidConfigError } from '../config/config.errors';
import { preflight, PreflightError } from './preflight';
import { DOCS_PATH } from './configure-http-app';
import { consoleBuilt } from '../console/console-static';
import { AdminBootstrapService } from '../users/admin-bootstrap.service';
import { loadEnvFile } from '../config/env-file';
import { assertVitalSettings, unknownSettingWarnings } from '../config/unknown-settings';
import { assertCanListen, listenFailure, METRICS_PORT_TAKEN_HINT } from '../config/port-check';
import { createdDatabaseNotice } from '../database/prepare-database';
import { ShutdownDeadline } from '../common/process/shutdown-deadline';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

// Settings from .env (or ENV_FILE) first: the log level and role below may come from it.
try {
  loadEnvFile();
} catch (err) {
  fail((err as Error).message);
}

// The logger follows the validated settings (an invalid LOG_LEVEL or APP_ROLE is a settings error, named as such).
const notices: string[] = [];
const settings = ((): AppConfig => {
  try {
    // First: a misspelt JWT_SECRET would otherwise be reported as JWT_SECRET missing, without the name given.
    assertVitalSettings(process.env);
    const config = loadConfig(process.env, (message) => notices.push(message));
    notices.push(...unknownSettingWarnings(process.env));
    return config;
  } catch (err) {
    fail(err instanceof InvalidConfigError ? err.message : `Invalid configuration: ${(err as Error).message}`);
  }
})();
const log = pino({ base: { role: settings.role }, level: settings.log.level });
for (const notice of notices) log.warn(notice);

/**
 * A signal this soon after the first is the same one delivered twice, not a second request: a terminal's Ctrl-C
 * reaches both `npm start` and the server, and npm passes its copy on (10-30 ms later).
 */
const SAME_SIGNAL_MS = 500;

/** First signal: stop accepting, let in-flight work finish or go back to the queue, close pools. Second: exit now. */
function handleShutdown(app: INestApplicationContext, config: AppConfig): void {
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < SAME_SIGNAL_MS) {
        log.info({ signal }, 'signal repeated within 0.5 s: the same request to stop (send it again to exit now)');
        return;
      }
      log.warn({ signal }, 'second signal: exiting immediately');
      process.exit(130);
    }
    stoppingSince = Date.now();
    app.get(ShutdownDeadline).begin();
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down gracefully');
    const deadline = setTimeout(() => {
      log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app
      .close()
      .then(() => {
        log.info('shutdown complete');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err: (err as Error).message }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(config: AppConfig): Promise<void> {
  // Before anything starts: with APP_ROLE=all, the worker and periodic jobs would start, then stop again; a
  // worker, which serves only its metrics and health, would print its whole start before saying why it stops.
  const { port, host } = config.http;
  if (config.role !== 'worker') await assertCanListen(port, host);
  else await assertCanListen(config.metrics.port, host, 'METRICS_PORT', METRICS_PORT_TAKEN_HINT);
  try {
    const prepared = await preflight(config, (message) => log.warn(message));
    // At warn: a new, empty database is how a misspelt or mistaken DATABASE_URL shows.
    if (prepared.createdDatabase) log.warn({ database: config.database.name }, createdDatabaseNotice(config));
    if (prepared.migrations.length) log.info({ migrations: prepared.migrations }, 'applied migrations');
  } catch (err) {
    if (err instanceof PreflightError) fail(err.message);
    throw err;
  }

  if (config.role === 'worker') {
    const worker = await createWorkerContext(config);
    await worker.init();
    handleShutdown(worker, config);
    // With METRICS_PORT=0 the port is chosen now: printed, as the API's URLs are.
    const { url } = worker.get(WorkerMetricsServer, { strict: false });
    process.stdout.write(
      `YMERA worker started (concurrency ${config.worker.concurrency})\n` +
        (url ? `Metrics: ${url}/metrics\nHealth: ${url}/health/ready\n` : ''),
    );
    return;
  }

  const app = await createHttpApp(config);
  // Taken meanwhile (the check above is not a reservation).
  await app.listen(port, host).catch((err: NodeJS.ErrnoException) => {
    throw listenFailure(err, host, port);
  });
  const admin = await app.get(AdminBootstrapService).ensureAdmin();
  handleShutdown(app, config);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  const lines = [
    consoleBuilt() ? `Console: ${url}/` : `Console: not built (run npm run build); ${url}/ answers 503 until it is`,
    `YMERA ${config.role === 'all' ? 'API and worker' : 'API'} listening on ${url}/api/v1`,
    `API docs: ${url}/${DOCS_PATH} (OpenAPI document: ${url}/${DOCS_PATH}-json)`,
    `Health: ${url}/health/ready`,
  ];
  if (admin) {
    lines.push(
      admin.generatedPassword
        ? `Bootstrap admin: ${admin.email} / ${admin.generatedPassword} (generated; shown only this once)`
        : `Bootstrap admin: ${admin.email} (password from ADMIN_PASSWORD)`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

main(settings).catch((err: unknown) => {
  // A port in use (PORT, METRICS_PORT) or a HOST not of this machine: one line naming the setting, as for any
  // other unusable setting.
  if (err instanceof InvalidConfigError) fail(err.message);
  log.fatal({ err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, 'failed to start');
  process.exit(1);
});
