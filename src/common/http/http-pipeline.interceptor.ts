import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { AuditInterceptor } from '../../audit/audit.interceptor';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { TimeoutInterceptor } from './timeout.interceptor';

/** An interceptor that answers at once with its Observable (none of ours needs a promise first). */
export interface PipelineStage {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown>;
}

/**
 * Runs the interceptors every API route shares as one global interceptor, outermost first: the envelope,
 * the audit entry (which sees the handler's own result, and a timeout as a failure), then the timeout.
 *
 * Nest wraps each global interceptor in a deferred Observable, an async scope and a merge of its own on
 * every request; for a small read that bookkeeping cost more than the three interceptors' work. Chained
 * here, the request pays it once.
 */
@Injectable()
export class HttpPipelineInterceptor implements NestInterceptor {
  private readonly stages: readonly PipelineStage[];

  constructor(envelope: EnvelopeInterceptor, audit: AuditInterceptor, timeout: TimeoutInterceptor) {
    this.stages = [envelope, audit, timeout];
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return chainStages(this.stages, context, next).handle();
  }
}

/** The stages as one CallHandler: each stage's `next` is the rest of the chain, the last one's is `next`. */
export function chainStages(
  stages: readonly PipelineStage[],
  context: ExecutionContext,
  next: CallHandler,
): CallHandler<unknown> {
  let handler: CallHandler<unknown> = next;
  for (let i = stages.length - 1; i >= 0; i -= 1) {
    const stage = stages[i];
    const inner = handler;
    handler = { handle: () => stage.intercept(context, inner) };
  }
  return handler;
}
