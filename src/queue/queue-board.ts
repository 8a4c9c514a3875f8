import { createBullBoard } from '@bull-board/api';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { auditContextOf, type AuthenticatedRequest, isStateChanging } from '../audit/audit-request';
import { AuditService } from '../audit/audit.service';
import { Authenticator } from '../auth/authenticator';
import { cookiesOf } from '../auth/cookies';
import { QUEUE_BOARD_WRITERS } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '../auth/refresh-cookie';
import { sendError } from '../common/http/all-exceptions.filter';
import { ErrorCode } from '../common/errors/error-code';
import { QUEUE_NAMES } from '../jobs/queues';
import { BOARD_COOKIE, BoardSessions } from './board-sessions';
import { boardViewsWithoutWebFonts } from './board-views';
import { QUEUE_BOARD_PATH } from './queue-board-path';

export { QUEUE_BOARD_PATH } from './queue-board-path';

type Handler = (req: Request, res: Response, next: NextFunction) => void;

/** Board API paths whose second segment after the queue name is an action on the whole queue, not a job id. */
const QUEUE_ACTIONS = new Set([
  'add',
  'retry',
  'promote',
  'clean',
  'pause',
  'resume',
  'concurrency',
  'rate-limit',
  'empty',
  'obliterate',
  'job-schedulers',
]);

export interface BoardAction {
  action: string;
  queue: string | null;
  jobId: string | null;
  /** The job state or scheduler the action names (`retry/failed`, `clean/completed`). */
  target: string | null;
}

const snake = (word: string) => word.replace(/-/g, '_');

/** What a state-changing board request does (`PUT /api/queues/tasks/<job>/retry` → `queue.job_retry`). */
export function boardAction(path: string): BoardAction {
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [, kind, queue, second, ...rest] = segments;
  const none = { queue: null, jobId: null, target: null };
  if (segments[0] !== 'api' || kind !== 'queues') return { action: 'queue.board_write', ...none };
  if (second === undefined) return { action: `queue.${snake(queue ?? 'unknown')}_all`, ...none };
  if (QUEUE_ACTIONS.has(second)) {
    return { action: `queue.${snake(second)}`, queue, jobId: null, target: rest.join('/') || null };
  }
  return { action: `queue.job_${snake(rest[0] ?? 'unknown')}`, queue, jobId: second, target: null };
}

/** Whether a request comes from a page of this very origin (a cookie alone could come from a cross-site form). */
function sameOrigin(req: Request): boolean {
  if (req.headers[CSRF_HEADER.toLowerCase()] === CSRF_HEADER_VALUE) return true;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  return origin !== undefined && origin === `${req.protocol}://${req.get('host')}`;
}

function denied(req: Request, res: Response, message: string): void {
  if (isPageVisit(req)) return res.redirect(303, CONSOLE_QUEUES_PAGE);
  sendError(req, res, { status: 403, code: ErrorCode.FORBIDDEN, message });
}

/** The console's Queues page: it says who may open the board, and opens it for them. */
const CONSOLE_QUEUES_PAGE = '/queues';

/** A browser opening the board's page (a bookmark, a reload), not its API or its scripts. */
function isPageVisit(req: Request): boolean {
  return (
    req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !/^\/(api|static)(\/|$)/.test(req.path)
  );
}

/** What a browser is shown when the board cannot be checked or shown (the database or Redis away). */
const UNAVAILABLE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Queue board unavailable</title></head>' +
  '<body style="font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em">' +
  '<h1>The queue board is unavailable</h1><p>The database or Redis cannot be reached just now, so the board ' +
  'cannot be shown. Nothing is lost: tasks wait until both are back.</p><p><a href="/admin/queues">Try again' +
  '</a> in a few seconds, or go back to the <a href="/queues">console</a>.</p></body></html>';

/**
 * The BullMQ board at /admin/queues, for callers holding `queues:manage`: a Bearer token or an API key on
 * every request, like the API, or the board cookie a signed-in user gets from `POST /api/v1/queues/board-session`.
 * It is read-only (bull-board's read-only mode, and state-changing requests refused) unless the caller is a
 * signed-in user of a role in QUEUE_BOARD_WRITERS; each state-changing request is audited once. State-changing
 * requests authenticated by the cookie must come from the board's own origin.
 */
export function mountQueueBoard(app: NestExpressApplication): void {
  // Every queue: tasks, schedule fires, webhook deliveries, workflow waits and triggers, bulk operations, and the
  // periodic jobs (the reconciler, the sweeper, the schedules' sync…), as the backlog alerts name them.
  const queues = QUEUE_NAMES.map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  const views = boardViewsWithoutWebFonts();
  const board = (readOnlyMode: boolean): Handler => {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode })), serverAdapter });
    if (views) serverAdapter.setViewsPath(views);
    return serverAdapter.getRouter() as Handler;
  };
  const writable = board(false);
  const readOnly = board(true);
  const authenticator = app.get(Authenticator, { strict: false });
  const sessions = app.get(BoardSessions, { strict: false });
  const audit = app.get(AuditService, { strict: false });

  const record = (req: Request, outcome: 'success' | 'failure' | 'denied', details: Record<string, unknown>) => {
    const { action, queue: queueName, jobId, target } = boardAction(req.path);
    return audit
      .record(
        {
          action,
          outcome,
          resourceType: jobId ? 'job' : 'queue',
          resourceId: (jobId ?? queueName)?.slice(0, 100) ?? null,
          details: { queue: queueName, jobId, target, method: req.method, ...details },
        },
        undefined,
        auditContextOf(req),
      )
      .catch(() => undefined);
  };

  const guard = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const bearing = Boolean(req.headers.authorization || req.headers['x-api-key']);
    const cookie = bearing ? undefined : cookiesOf(req)[BOARD_COOKIE];
    const principal: Principal | undefined = bearing
      ? await authenticator.authenticate(req)
      : await sessions.principalOf(cookie);
    if (!principal) {
      // A bookmark or a reload after the board's session ended: the console opens a new one.
      if (isPageVisit(req)) return res.redirect(303, CONSOLE_QUEUES_PAGE);
      return sendError(req, res, { status: 401, code: ErrorCode.UNAUTHENTICATED, message: 'Authentication required' });
    }
    (req as AuthenticatedRequest).principal = principal;
    if (!principal.permissions.has('queues:manage')) return denied(req, res, 'queues:manage required');
    const canWrite = principal.type === 'user' && QUEUE_BOARD_WRITERS.has(principal.role);
    if (!isStateChanging(req.method)) return (canWrite ? writable : readOnly)(req, res, next);

    if (!canWrite) {
      await record(req, 'denied', { reason: 'read-only board' });
      return denied(req, res, 'The queue board is read-only for you');
    }
    if (cookie && !sameOrigin(req)) {
      await record(req, 'denied', { reason: 'cross-origin request with the board cookie' });
      return denied(req, res, `Send board changes from the board itself, or with ${CSRF_HEADER}: ${CSRF_HEADER_VALUE}`);
    }
    res.once(
      'finish',
      () => void record(req, res.statusCode < 400 ? 'success' : 'failure', { status: res.statusCode }),
    );
    writable(req, res, next);
  };

  app.use(QUEUE_BOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
    guard(req, res, next).catch(() => {
      if (!isPageVisit(req) || res.headersSent) {
        return sendError(req, res, { status: 503, code: ErrorCode.SERVICE_UNAVAILABLE, message: 'Try again shortly' });
      }
      res.status(503).setHeader('Retry-After', '5').setHeader('Cache-Control', 'no-store').type('html');
      res.send(UNAVAILABLE_PAGE);
    });
  });
}
