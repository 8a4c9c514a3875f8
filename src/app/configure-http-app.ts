import { parse as parseQuery } from 'node:querystring';
import { RequestMethod, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cors from 'cors';
import { json } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { PARAMS_PROVIDER_TOKEN, type Params, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { answerClientErrors } from '../common/http/client-errors';
import { requestLogObserver } from '../logging/logging.module';
import { httpMetricsObserver } from '../metrics/http-metrics.observer';
import { Metrics } from '../metrics/metrics.service';
import { keepRawBody } from '../hooks/raw-body';
import { isFileUpload } from '../files/upload-body';
import { mountQueueBoard } from '../queue/queue-board';
import { ErrorEnvelopeDto, withCommonErrors } from '../common/swagger/api-envelope';
import { deepObjectQueries } from '../common/swagger/query-objects';
import { strictNullables } from '../common/swagger/strict-nullables';
import { jsonBodies } from '../common/http/content-type.middleware';
import { refuseBadUrls } from '../common/http/input-guard';
import { isConsoleDocument } from '../console/console-static';
import { requestDeadline } from '../common/http/request-deadline';
import { requestTrackingMiddleware } from '../common/http/request-tracking.middleware';
import { refuseNotUtf8 } from '../common/http/utf8-body';
import { ShutdownDeadline } from '../common/process/shutdown-deadline';
import { RateLimitGuard } from '../throttling/rate-limit.guard';

export const API_PREFIX = 'api';
export const DOCS_PATH = 'docs';
/** Whether a request is for the API's routes (`/api/…`), whose guards refuse a bad body themselves. */
const isApiPath = (req: Request): boolean => req.path.startsWith(`/${API_PREFIX}/`);
/** Paths served at the root, outside `/api/v1` and the envelope. */
export const ROOT_PATHS = ['health', 'health/{*rest}', 'metrics', 'admin/queues', 'admin/queues/{*rest}'];

/**
 * API responses are JSON, never rendered: they carry the headers that matter to them (CSP, HSTS, nosniff,
 * frame DENY, referrer policy, cross-origin resource policy) and leave off those that only affect HTML
 * documents and their windows, or long-gone browsers (X-DNS-Prefetch-Control, X-Download-Options,
 * X-XSS-Protection, Origin-Agent-Cluster, Cross-Origin-Opener-Policy).
 * The docs pages keep helmet's full set.
 */
const strictHelmet = helmet({
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xXssProtection: false,
  originAgentCluster: false,
  crossOriginOpenerPolicy: false,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
  },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/** The Swagger UI runs inline scripts and styles and loads its own assets: its CSP allows just that. */
const docsHelmet = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
    },
  },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/** The Swagger UI and the queue board are pages with their own scripts and styles. */
const PAGE_PATHS = [`/${DOCS_PATH}`, '/admin/queues'];

function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  const path = req.path;
  const isPage = PAGE_PATHS.some((p) => path.startsWith(p) && (path.length === p.length || path[p.length] === '/'));
  (isPage ? docsHelmet : strictHelmet)(req, res, next);
}

/**
 * CORS headers are for browsers calling across origins, which send an Origin header; a request without
 * one (a server, a CLI, the same origin) gets only `Vary: Origin`, so a cache never serves it to a browser
 * that needed them.
 */
/**
 * CORS for `origins` (`*`: any, without credentials). Credentials are allowed to the configured origins only:
 * another origin, even in a preflight, gets neither `Access-Control-Allow-Origin` nor `-Credentials`.
 */
function corsFor(origins: string[]): RequestHandler {
  const anyOrigin = origins.includes('*');
  const options = {
    origin: anyOrigin ? true : origins,
    exposedHeaders: [
      'X-Request-Id',
      'X-Response-Time',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'Retry-After',
    ],
  };
  return cors((req, done) =>
    done(null, { ...options, credentials: !anyOrigin && origins.includes(req.headers.origin ?? '') }),
  );
}

function corsWhenOrigin(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (req.headers.origin !== undefined) return handler(req, res, next);
    res.vary('Origin');
    next();
  };
}

/**
 * Middleware run one after another as one: what every request passes through costs a router layer less
 * each (Express walks, matches and wraps every layer it passes on every request).
 */
function inOrder(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let index = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined || index === handlers.length) {
        next(err);
        return;
      }
      const handler = handlers[index++];
      try {
        const done: unknown = handler(req, res, step);
        if (done instanceof Promise) done.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

/** `matched` for the requests `matches` picks, `other` for the rest. */
function byRoute(matches: (req: Request) => boolean, matched: RequestHandler, other: RequestHandler): RequestHandler {
  return (req, res, next) => (matches(req) ? matched : other)(req, res, next);
}

export function buildOpenApiDocument(app: NestExpressApplication, version: string) {
  const config = new DocumentBuilder()
    .setTitle('YMERA API')
    .setDescription(
      [
        'Control plane for AI agents. Every `/api/v1` response is wrapped in an envelope:',
        '`{status: "success", data, meta: {timestamp, requestId}}` (lists add `total`, `skip`, `limit` to `meta`),',
        'and every error is `{status: "error", error: {code, message, details?}, meta}`.',
        'Paging: `?skip=0&limit=50`, `limit` at most 1000, newest first.',
        'Every response carries `X-Request-Id` (yours when it is 1-128 characters of `A-Z a-z 0-9 . _ : -`) and `X-Response-Time`.',
      ].join(' '),
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .addSecurity('metricsToken', { type: 'http', scheme: 'bearer', description: '`METRICS_TOKEN`, for `/metrics`' })
    .build();
  return deepObjectQueries(
    strictNullables(withCommonErrors(SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDto] }))),
  );
}

/**
 * The JSON parser of a route: task submissions and batches have limits of their own (parsing, validating
 * and storing a body runs on the event loop, about 0.1 s per MB here), everything else BODY_LIMIT. A hook
 * call's body is also kept as it arrived: its signature is over those bytes.
 */
function bodyParserFor(config: AppConfig): (req: Request) => RequestHandler {
  const type = ['application/json', 'application/*+json'];
  const parser = (limit: number) => json({ limit, type, verify: refuseNotUtf8 });
  const general = parser(config.http.bodyLimitBytes);
  const task = parser(config.http.taskBodyLimitBytes);
  const batch = parser(config.http.taskBatchBodyLimitBytes);
  const hookCall = json({
    limit: config.http.bodyLimitBytes,
    type,
    verify: (req, res, buffer) => {
      refuseNotUtf8(req, res, buffer);
      keepRawBody(req, res, buffer);
    },
  });
  const TASKS = `/${API_PREFIX}/v1/tasks`;
  const HOOK_CALL = new RegExp(`^/${API_PREFIX}/v1/hooks/[^/]+$`);
  return (req) => {
    if (req.method !== 'POST') return general;
    const path = req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
    if (path === TASKS) return task;
    if (path === `${TASKS}/batch`) return batch;
    if (HOOK_CALL.test(path)) return hookCall;
    return general;
  };
}

/**
 * The Swagger UI page is `/docs`, which links its assets as `./docs/…`. Its other addresses (`/docs/`,
 * `/docs/index.html`) are sent there, their query kept: served there, the page's links depend on how the URL ends
 * (`/docs/?…` and `/docs/index.html` got `./docs/…` too, resolving to `/docs/docs/…`, a 404: a blank page).
 */
function redirectToDocsPage(req: Request, res: Response, next: NextFunction): void {
  if (req.path === `/${DOCS_PATH}`) return next();
  const query = req.originalUrl.indexOf('?');
  res.redirect(301, `/${DOCS_PATH}${query < 0 ? '' : req.originalUrl.slice(query)}`);
}

/** Everything HTTP that sits outside Nest's DI: express middleware order, prefix, versioning and docs. */
export function configureHttpApp(app: NestExpressApplication, config: AppConfig, version: string): void {
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  // API responses are no-store: an ETag (a hash of every body) would only cost time.
  express.set('etag', false);
  // Every pair of the query, as Express's simple parser reads them but without its cut at 1000 pairs: the ones
  // after it were dropped unread, so 1000 `&` before `status=failed` (or an unknown key) skipped the filter and
  // the validation. The URL's length (Node's header limit) bounds how many there can be.
  express.set('query parser', (text: string) => parseQuery(text, undefined, undefined, { maxKeys: 0 }));
  app.set('trust proxy', config.http.trustProxy);
  answerClientErrors(app.getHttpServer());
  // The application's root pino logger (nestjs-pino builds it once; a PinoLogger outside a request returns it).
  const rootLogger = new PinoLogger(app.get<Params>(PARAMS_PROVIDER_TOKEN)).logger;
  const shutdown = app.get(ShutdownDeadline);
  app.use(
    inOrder(
      // Once the process is stopping, each answer closes its connection: a client that keeps its connection busy
      // would otherwise be served here until the shutdown's deadline, not by another instance.
      (_req, res, next) => {
        if (shutdown.begun) res.setHeader('Connection', 'close');
        next();
      },
      requestTrackingMiddleware([requestLogObserver(rootLogger), httpMetricsObserver(app.get(Metrics))]),
      byRoute(
        isFileUpload,
        requestDeadline(config.files.uploadTimeoutMs),
        requestDeadline(config.http.requestTimeoutMs),
      ),
      // A console page's address with malformed percent-encoding gets the console (its page-not-found), not JSON.
      byRoute(isConsoleDocument, (_req, _res, next) => next(), refuseBadUrls),
      securityHeaders,
      corsWhenOrigin(corsFor(config.http.corsOrigins)),
      // An upload's body is the file: its route streams it to storage.
      byRoute(isFileUpload, (_req, _res, next) => next(), jsonBodies(bodyParserFor(config), isApiPath)),
    ),
  );
  // A request refused before its route (its URL, a body outside the API's paths) counts against the caller's
  // budget all the same. The API's routes refuse a body themselves (`refuseBody`), counted by the rate limit guard.
  const limiter = app.get(RateLimitGuard, { strict: false });
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    limiter.chargeRefused(req, res).then(
      (limited) => next(limited ?? err),
      () => next(err),
    );
  });
  // Socket.IO keeps its rooms in memory: each instance relays the events it reads from Redis to its own clients.
  app.useWebSocketAdapter(new IoAdapter(app));
  mountQueueBoard(app);
  app.setGlobalPrefix(API_PREFIX, { exclude: ROOT_PATHS.map((path) => ({ path, method: RequestMethod.ALL })) });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  const document = buildOpenApiDocument(app, version);
  // Before the Swagger UI's own routes, which would answer these paths with that page.
  express.get(`/${DOCS_PATH}`, redirectToDocsPage);
  express.get(`/${DOCS_PATH}/index.html`, redirectToDocsPage);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'YMERA API',
  });
}
