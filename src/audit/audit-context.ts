import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';

/** What the audit log needs to know about the request being served. */
export interface AuditRequestContext {
  principal?: Principal;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** Set once a service wrote the request's entry inside its own transaction. */
  recorded: boolean;
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
