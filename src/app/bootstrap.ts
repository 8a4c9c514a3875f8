import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AppLogger } from '../logging/app-logger';
import { configureHttpApp } from './configure-http-app';
import { EnvelopeExpressAdapter } from '../common/http/envelope-express.adapter';
import type { AppConfig } from '../config/app-config';
import { InvalidConfigError } from '../config/config.errors';
import { APP_VERSION } from '../version';

/**
 * Builds the application with `create`. Nest keeps its start-up lines until the app's own logger takes them
 * (`bufferLogs`); a build that fails before then would print them all through Nest's console logger. A failure
 * on a setting (a taken METRICS_PORT) is said in one line by the caller, so they are dropped; any other failure
 * shows them, as they may explain it.
 */
async function built<T extends INestApplicationContext>(create: () => Promise<T>): Promise<T> {
  let app: T;
  try {
    app = await create();
  } catch (err) {
    if (!(err instanceof InvalidConfigError)) Logger.flush();
    throw err;
  }
  app.useLogger(app.get(AppLogger));
  app.flushLogs();
  return app;
}

/** Builds the HTTP application (APP_ROLE api or all), configured exactly as production runs it. */
export async function createHttpApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await built(() =>
    NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new EnvelopeExpressAdapter(), {
      bufferLogs: true,
      autoFlushLogs: false,
      bodyParser: false,
      abortOnError: false,
    }),
  );
  configureHttpApp(app, config, APP_VERSION);
  return app;
}

/** Builds a worker-only process: no HTTP server, just the queue consumers. */
export function createWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  return built(() =>
    NestFactory.createApplicationContext(AppModule.forRoot(config), {
      bufferLogs: true,
      autoFlushLogs: false,
      abortOnError: false,
    }),
  );
}
