import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ReadDatabase } from './read-database';
import { CONSISTENCY_HEADER, needsPrimary, type ReadContext, readContext } from './read-target';

/** Callers remembered at once; one who falls out of the memory reads from the replica a little early. */
const WRITERS_KEPT = 100_000;

/** The caller, once authentication has named it (only its user id matters here). */
type CallerRequest = Request & { principal?: { userId: string } };

/**
 * Gives each GET request its read context (see {@link needsPrimary}) and remembers, for the read-your-writes
 * window, the users whose requests wrote. Requests that write get no context, so all their reads use the
 * primary. The memory is this process's: behind a load balancer with several API instances, a client that
 * must see its write on the next read sends `Consistency: strong` (or the balancer keeps its requests on one
 * instance). Mounted only when a replica is configured: without one, requests pass no extra middleware.
 */
@Injectable()
export class ReadRouting {
  private readonly writers: LRUCache<string, true> | undefined;

  constructor(
    private readonly reads: ReadDatabase,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const window = config.database.read.readYourWritesMs;
    this.writers = window > 0 ? new LRUCache({ max: WRITERS_KEPT, ttl: window }) : undefined;
  }

  get enabled(): boolean {
    return this.reads.configured;
  }

  readonly middleware = (req: CallerRequest, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // The window starts when the write is answered, whatever its outcome: a failed request may have written.
      if (this.writers) res.once('finish', () => this.remember(req.principal?.userId));
      next();
      return;
    }
    readContext.run(this.contextOf(req), next);
  };

  /** Decided when a read asks, after authentication has named the caller. */
  private contextOf(req: CallerRequest): ReadContext {
    const writers = this.writers;
    return {
      get primary() {
        const caller = req.principal?.userId;
        const wrote = caller !== undefined && writers?.has(caller) === true;
        return needsPrimary(req.method, req.headers[CONSISTENCY_HEADER], wrote);
      },
    };
  }

  private remember(userId: string | undefined): void {
    if (userId !== undefined) this.writers?.set(userId, true);
  }
}
