import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { AppLogger } from '../logging/app-logger';
import { configureHttpApp } from './configure-http-app';
import { EnvelopeExpressAdapter } from '../common/http/envelope-express.adapter';
import type { AppConfig } from '../config/app-config';
import { APP_VERSION } from '../version';

/** Builds the HTTP application (APP_ROLE api or all), configured exactly as production runs it. */
export async function createHttpApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    new EnvelopeExpressAdapter(),
    {
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(AppLogger));
  configureHttpApp(app, config, APP_VERSION);
  return app;
}

/** Builds a worker-only process: no HTTP server, just the queue consumers. */
export async function createWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(AppLogger));
  return app;
}
