import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import { finalize, Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ReadDatabase } from './read-database';
import { CONSISTENCY_HEADER, needsPrimary, readContext } from './read-target';

/** Callers remembered at once; one who falls out of the memory reads from the replica a little early. */
const WRITERS_KEPT = 100_000;

/**
 * Gives each HTTP request its read context (see {@link needsPrimary}) and remembers, for the read-your-writes
 * window, the users whose requests wrote. The memory is this process's: behind a load balancer with several
 * API instances a client that must see its write on the next read sends `Consistency: strong` (or the
 * balancer keeps its requests on one instance). Without a replica it does nothing.
 */
@Injectable()
export class ReadRoutingInterceptor implements NestInterceptor {
  private readonly writers?: LRUCache<string, true>;

  constructor(
    private readonly reads: ReadDatabase,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const window = config.database.read.readYourWritesMs;
    if (reads.configured && window > 0) this.writers = new LRUCache({ max: WRITERS_KEPT, ttl: window });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reads.configured || context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const caller = req.principal?.userId;
    const writes = req.method !== 'GET' && req.method !== 'HEAD';
    const wroteRecently = caller !== undefined && this.writers?.has(caller) === true;
    const store = { primary: needsPrimary(req.method, req.headers[CONSISTENCY_HEADER], wroteRecently) };
    const handled = new Observable<unknown>((subscriber) =>
      readContext.run(store, () => next.handle().subscribe(subscriber)),
    );
    // The window starts when the write is done, whatever its outcome: a failed request may have written too.
    return writes && caller !== undefined && this.writers
      ? handled.pipe(finalize(() => this.writers?.set(caller, true)))
      : handled;
  }
}
