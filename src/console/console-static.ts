import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '../common/errors/error-code';
import { sendError } from '../common/http/all-exceptions.filter';
import { CONSOLE_ROUTE } from '../metrics/http-metrics.observer';

/** Paths the console never answers: they keep their own handlers, 404s and headers. */
export const RESERVED_PREFIXES = ['/api', '/docs', '/docs-json', '/health', '/metrics', '/admin/queues', '/socket.io'];

/**
 * The console's CSP: its own scripts and styles only (no inline script, no eval; Mantine's styles come from
 * its CSS file, and React sets style properties through the CSSOM, which CSP does not govern), API calls and
 * the Socket.IO WebSocket to the same origin (CSP 3 `'self'` covers ws:/wss: on the same host), and no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where `npm run build` puts the console (`vite build` → dist/web): next to the compiled server
 * (dist/src/console → dist/web), or, running from the sources (tests), under the repository's dist/.
 */
function consoleDir(): string {
  const above = join(__dirname, '..', '..');
  return basename(above) === 'dist' ? join(above, 'web') : join(above, 'dist', 'web');
}

export const CONSOLE_DIR = consoleDir();

export function consoleBuilt(dir = CONSOLE_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

/**
 * Whatever the case: `/API/v1/x` matches no route (routes keep their case), and is a 404, not the console. So are
 * `//health/ready` and `/%2Fapi/v1/x`: slashes doubled or encoded lead to no route, and never to a 200 page that a
 * health check or an API client would take for an answer.
 */
function reserved(path: string): boolean {
  const lower = path
    .replace(/%2f/gi, '/')
    .replace(/\/{2,}/g, '/')
    .toLowerCase();
  return RESERVED_PREFIXES.some((p) => lower === p || lower.startsWith(`${p}/`));
}

/** A file name (`/favicon.svg`, `/assets/x.js`), not a console route (`/tasks/123`). */
function looksLikeFile(path: string): boolean {
  return path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * A request for a console page (a GET of a path outside the reserved ones that names no file): its path is the
 * browser's address, read by the console's router, not by the API.
 */
export function isConsoleDocument(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && !reserved(req.path) && !looksLikeFile(req.path);
}

function documentHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>YMERA console not built</title></head>
<body><h1>The console is not built</h1>
<p>This server has no <code>dist/web</code>. Run <code>npm run build</code> (or <code>npm run build:web</code>) and
reload. The API is unaffected: <a href="/docs">/docs</a>, <a href="/health/ready">/health/ready</a>.</p></body></html>
`;

/**
 * Serves the built console: hashed files under `/assets/` cached for a year, other files revalidated, and
 * `index.html` for every other GET outside the reserved paths (the console routes itself). Without a build it
 * answers 503 with a page saying how to build it; the API is untouched either way.
 */
export function consoleHandler(dir = CONSOLE_DIR): RequestHandler {
  const files = express.static(dir, {
    index: false,
    redirect: false,
    dotfiles: 'ignore',
    fallthrough: true,
    setHeaders: (res, path) => {
      documentHeaders(res);
      res.setHeader(
        'Cache-Control',
        path.startsWith(join(dir, 'assets'))
          ? 'public, max-age=31536000, immutable'
          : 'public, max-age=0, must-revalidate',
      );
    },
  });

  const sendIndex = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let html: string;
    try {
      html = await readFile(join(dir, 'index.html'), 'utf8');
    } catch {
      documentHeaders(res);
      res.status(503).setHeader('Cache-Control', 'no-store').type('html').setHeader('Retry-After', '60');
      res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
      return;
    }
    if (res.headersSent) return next();
    documentHeaders(res);
    // The document names the current hashed assets: always asked again, never served stale after a deploy.
    res.status(200).setHeader('Cache-Control', 'no-cache').type('html');
    res.setHeader('Content-Length', Buffer.byteLength(html));
    res.end(req.method === 'HEAD' ? undefined : html);
  };

  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || reserved(req.path)) return next();
    // Counted as the console's in the HTTP metrics, not as a route nothing matched.
    res.locals.route = CONSOLE_ROUTE;
    files(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (looksLikeFile(req.path)) {
        // A missing asset is a 404 in the envelope, never the document (a script tag given HTML fails obscurely).
        sendError(req, res, { status: 404, code: ErrorCode.NOT_FOUND, message: 'No such file' });
        return;
      }
      sendIndex(req, res, next).catch(next);
    });
  };
}
