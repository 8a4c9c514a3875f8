import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';

/** What the audit log needs to know about the request being served. */
export interface AuditRequestContext {
  principal?: Principal;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /**
   * How the request's own entry was written, if it was: `committed` on its own, or `transaction` inside a
   * service's transaction (which may still roll back, in which case the failure still needs its entry).
   */
  recorded: 'committed' | 'transaction' | false;
}

/** Carries the current request's audit context across async calls, so services need not pass it along. */
@Injectable()
export class AuditContextStore {
  private readonly storage = new AsyncLocalStorage<AuditRequestContext>();

  run<T>(context: AuditRequestContext, fn: () => T): T {
    return this.storage.run(context, fn);
  }

  current(): AuditRequestContext | undefined {
    return this.storage.getStore();
  }
}
