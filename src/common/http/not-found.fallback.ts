import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ErrorCode } from '../errors/error-code';
import { sendError } from './all-exceptions.filter';

/**
 * Nest answers unknown paths under the global prefix itself; this catches the rest (`/anything`), so
 * every 404 is in the error envelope. It is mounted once all routes are, as the very last handler.
 */
@Injectable()
export class NotFoundFallback implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() !== 'express') return;
    adapter.use((req: Request, res: Response) =>
      sendError(req, res, { status: 404, code: ErrorCode.NOT_FOUND, message: 'No route matches this method and path' }),
    );
  }
}
