import { RequestMethod, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { API_PREFIX, ROOT_PATHS, buildOpenApiDocument } from './configure-http-app';
import { EnvelopeExpressAdapter } from '../common/http/envelope-express.adapter';
import { loadConfig } from '../config/app-config';
import { APP_VERSION } from '../version';

/**
 * The OpenAPI document exactly as `/docs-json` serves it, built from the route metadata alone: Nest's preview
 * mode resolves modules without instantiating providers, so neither Postgres nor Redis is needed.
 */
export async function openApiDocument(): Promise<object> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'openapi',
    SECRETS_KEY: '0'.repeat(64),
  });
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    new EnvelopeExpressAdapter(),
    {
      preview: true,
      logger: false,
      abortOnError: false,
      bodyParser: false,
    },
  );
  try {
    app.setGlobalPrefix(API_PREFIX, { exclude: ROOT_PATHS.map((path) => ({ path, method: RequestMethod.ALL })) });
    app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
    return buildOpenApiDocument(app, APP_VERSION);
  } finally {
    await app.close();
  }
}
