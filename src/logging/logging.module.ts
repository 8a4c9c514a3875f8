import { Module } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger as PinoBaseLogger } from 'pino';
import { LoggerModule } from 'nestjs-pino';
import { AppLogger } from './app-logger';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { FinishedRequestObserver } from '../common/http/request-tracking.middleware';
import { CONSOLE_ROUTE } from '../metrics/http-metrics.observer';

const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'secret',
  'signingSecret',
  'clientSecret',
  'totp',
];

/** Paths pino replaces with "[redacted]" wherever they appear in a log line (up to two levels deep). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * 5xx and thrown errors are errors, 4xx warnings, the rest info (the console's files served: debug). A 503 is a warning: the API answers it while a
 * dependency is away (its readiness says so, and the line before it gives the reason), as it should.
 */
export function requestLogLevel(statusCode: number, consoleFile = false): LogLevel {
  if (statusCode >= 400) return statusCode >= 500 && statusCode !== 503 ? 'error' : 'warn';
  // A page of the console loads dozens of its files: served, they are logged at debug, not one line each at info.
  return consoleFile ? 'debug' : 'info';
}

/**
 * One line per finished request (`request completed`, with requestId, method, url without the query,
 * statusCode and responseTime), at the level its status deserves; health probes are not logged. It makes no
 * per-request logger (pino-http makes two, which costs more than serving a small request): at
 * LOG_LEVEL=warn a successful request costs a comparison. The lines services log while serving a request
 * carry no request id (no async context is kept per request: it would cost every request a hook on each of
 * its promises); the request's own line, and its audit entry, carry it.
 */
export function requestLogObserver(logger: PinoBaseLogger): FinishedRequestObserver {
  return (req, res, durationMs) => {
    const level = requestLogLevel(res.statusCode, (res.locals as { route?: string }).route === CONSOLE_ROUTE);
    if (!logger.isLevelEnabled(level) || req.originalUrl.startsWith('/health')) return;
    logger[level](
      {
        requestId: (req as Request & { id?: string }).id,
        method: req.method,
        url: req.originalUrl.split('?')[0],
        statusCode: res.statusCode,
        responseTime: Math.round(durationMs),
      },
      'request completed',
    );
  };
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Neither pino-http nor nestjs-pino's per-request binding is mounted (no routes): requestLogObserver
        // logs each request and every log goes through the root logger.
        useExisting: true,
        forRoutes: [],
        pinoHttp: {
          level: config.log.level,
          base: { role: config.role, pid: process.pid },
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        },
      }),
    }),
  ],
  providers: [AppLogger],
  exports: [AppLogger],
})
export class LoggingModule {}
