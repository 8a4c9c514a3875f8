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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Carries the current request's audit context across async calls, so services need not pass it along.
 *
 * Only state-changing requests have one (task submissions pass theirs explicitly instead: see
 * `AuditAction`), and the storage is switched off whenever none is in flight: while it is on, Node runs a
 * hook on every promise of the process, which costs a read-only request about a twentieth of its time.
 */
@Injectable()
export class AuditContextStore {
  private readonly storage = new AsyncLocalStorage<AuditRequestContext>();
  private held = 0;

  /** Runs `fn` with the context; a promise `fn` returns keeps the storage on until it settles. */
  run<T>(context: AuditRequestContext, fn: () => T): T {
    const release = this.hold();
    let result: T;
    try {
      result = this.storage.run(context, fn);
    } catch (err) {
      release();
      throw err;
    }
    if (isThenable(result)) result.then(release, release);
    else release();
    return result;
  }

  /** Keeps the storage on (for work that outlives `run`, such as a request's stream) until released. */
  hold(): () => void {
    this.held += 1;
    let holding = true;
    return () => {
      if (!holding) return;
      holding = false;
      this.held -= 1;
      if (this.held === 0) this.storage.disable();
    };
  }

  current(): AuditRequestContext | undefined {
    return this.storage.getStore();
  }
}
