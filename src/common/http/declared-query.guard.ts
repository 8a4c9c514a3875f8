import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ValidationFailedError } from '../errors/app.error';
import { escapePointer } from './validation';

const ANY_QUERY = 'ymera:any-query';

/**
 * For a route whose query is not part of the API (health probes and Prometheus, which callers may decorate
 * with cache-busting parameters): any query is let through, unread.
 */
export const AcceptsAnyQuery = (): ClassDecorator & MethodDecorator => SetMetadata(ANY_QUERY, true);

/** The query keys a handler reads: every key (a query DTO, checked by the validation pipe) or the ones it names. */
type QueryKeys = 'all' | ReadonlySet<string>;

/**
 * The validation pipe refuses unknown query keys of a route that takes a query DTO; a route that takes none
 * (or only `@Query('name')`) never sees its query, so `?__proto__=1` or a misspelt filter would be silently
 * ignored. This refuses, as the pipe does, every key the handler does not read (→ 400 `/<key>` "is not allowed").
 * What a handler reads is looked up once per handler.
 */
@Injectable()
export class DeclaredQueryGuard implements CanActivate {
  private readonly keysByHandler = new WeakMap<object, QueryKeys>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const read = this.queryKeysOf(context);
    if (read === 'all') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!req.url.includes('?')) return true;
    const unknown = Object.keys(req.query as object).filter((key) => !read.has(key));
    if (unknown.length === 0) return true;
    throw new ValidationFailedError(
      unknown.map((key) => ({ field: `/${escapePointer(key)}`, message: 'is not allowed' })),
    );
  }

  private queryKeysOf(context: ExecutionContext): QueryKeys {
    const handler = context.getHandler();
    let keys = this.keysByHandler.get(handler);
    if (keys === undefined) {
      keys = this.declaredKeys(context);
      this.keysByHandler.set(handler, keys);
    }
    return keys;
  }

  private declaredKeys(context: ExecutionContext): QueryKeys {
    if (this.reflector.getAllAndOverride<boolean>(ANY_QUERY, [context.getHandler(), context.getClass()])) return 'all';
    const params = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ??
      {}) as Record<string, { data?: unknown }>;
    const names = new Set<string>();
    for (const [key, { data }] of Object.entries(params)) {
      if (key.split(':')[0] !== String(RouteParamtypes.QUERY)) continue;
      if (typeof data !== 'string') return 'all';
      names.add(data);
    }
    return names;
  }
}
