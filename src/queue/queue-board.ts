import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Authenticator } from '../auth/authenticator';
import { sendError } from '../common/http/all-exceptions.filter';
import { ErrorCode } from '../common/errors/error-code';
import { TaskQueue } from '../tasks/task-queue';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * The BullMQ board at /admin/queues, for callers holding `queues:manage` (admins): a Bearer token or an
 * API key on every request, like the API.
 */
export function mountQueueBoard(app: NestExpressApplication): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(app.get(TaskQueue, { strict: false }).queue)], serverAdapter });
  const authenticator = app.get(Authenticator, { strict: false });
  const adminsOnly = (req: Request, res: Response, next: NextFunction): void => {
    authenticator.authenticate(req).then(
      (principal) => {
        if (!principal)
          return sendError(req, res, {
            status: 401,
            code: ErrorCode.UNAUTHENTICATED,
            message: 'Authentication required',
          });
        if (!principal.permissions.has('queues:manage')) {
          return sendError(req, res, { status: 403, code: ErrorCode.FORBIDDEN, message: 'queues:manage required' });
        }
        next();
      },
      () => sendError(req, res, { status: 503, code: ErrorCode.SERVICE_UNAVAILABLE, message: 'Try again shortly' }),
    );
  };
  app.use(
    QUEUE_BOARD_PATH,
    adminsOnly,
    serverAdapter.getRouter() as (req: Request, res: Response, next: NextFunction) => void,
  );
}
