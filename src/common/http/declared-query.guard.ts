import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { type ErrorDetail, ValidationFailedError } from '../errors/app.error';
import { refuseBody } from './content-type.middleware';
import { escapePointer } from './input-guard';

const ANY_QUERY = 'ymera:any-query';
const REFUSED_AFTER = 'ymera:query-refused-after';
/** The request's unread query keys, for a route that refuses them itself (see {@link RefusesUnreadQueryLater}). */
const UNREAD = Symbol('unread query keys');

/**
 * For a route whose query is not part of the API (health probes and Prometheus, which callers may decorate
 * with cache-busting parameters): any query is let through, unread.
 */
export const AcceptsAnyQuery = (): ClassDecorator & MethodDecorator => SetMetadata(ANY_QUERY, true);

/**
 * For a route whose own guard refuses the unread query keys, after it has done what it must first (the audit
 * trail of a state-changing route is opened, so the refusal is audited like a bad body): see
 * {@link refuseUnreadQuery}.
 */
export const RefusesUnreadQueryLater = (): MethodDecorator => SetMetadata(REFUSED_AFTER, true);

/** Throws the 400 of the request's unread query keys, where {@link DeclaredQueryGuard} left it to the route. */
export function refuseUnreadQuery(req: Request): void {
  const problems = (req as Request & { [UNREAD]?: ErrorDetail[] })[UNREAD];
  if (problems) throw new ValidationFailedError(problems);
}

/**
 * What a handler reads of a request: the query keys (every key: a query DTO, checked by the validation pipe; or
 * the ones it names), whether it reads the body, and whether its own guard refuses what it does not read.
 */
interface QueryKeys {
  read: ReadonlySet<string> | 'all';
  readsBody: boolean;
  refusedLater: boolean;
}

/** A route whose input is not the API's (`@AcceptsAnyQuery`): nothing of it is refused here. */
const READS_ANYTHING: QueryKeys = { read: 'all', readsBody: true, refusedLater: false };

/** The query keys of `req` not in `read`, each refused as the validation pipe refuses an unknown key. */
function unreadQuery(req: Request, read: ReadonlySet<string>): ErrorDetail[] {
  if (!req.url.includes('?')) return [];
  const unknown = Object.keys(req.query as object).filter((key) => !read.has(key));
  return unknown.map((key) => ({ field: `/${escapePointer(key)}`, message: 'is not allowed' }));
}

/**
 * What a body sent to a route that takes none holds: each key of an object refused as an unknown key of a body
 * is, anything but an object refused whole. An empty object, as some clients send with every POST, is nothing.
 */
function unreadBody(body: unknown): ErrorDetail[] {
  if (body === undefined) return [];
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return [{ field: '', message: 'is not allowed: this route takes no body' }];
  return Object.keys(body).map((key) => ({ field: `/${escapePointer(key)}`, message: 'is not allowed' }));
}

/**
 * The validation pipe refuses unknown query keys of a route that takes a query DTO; a route that takes none
 * (or only `@Query('name')`) never sees its query, so `?__proto__=1` or a misspelt filter would be silently
 * ignored. This refuses, as the pipe does, every key the handler does not read (→ 400 `/<key>` "is not allowed"),
 * and likewise a body sent to a route that reads none (a cancel, a redelivery): `{"force": true}` there would
 * otherwise be ignored while the action ran. What a handler reads is looked up once per controller and handler.
 */
@Injectable()
export class DeclaredQueryGuard implements CanActivate {
  /** By controller and handler: a handler may be inherited by controllers that differ (`@AcceptsAnyQuery`). */
  private readonly keysByHandler = new WeakMap<object, WeakMap<object, QueryKeys>>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const keys = this.queryKeysOf(context);
    const req = context.switchToHttp().getRequest<Request>();
    // A refused body first, as the query's refusal: by the route's own guard where it refuses the query.
    if (!keys.refusedLater) refuseBody(req);
    const problems = [
      ...(keys.read === 'all' ? [] : unreadQuery(req, keys.read)),
      ...(keys.readsBody ? [] : unreadBody(req.body)),
    ];
    if (problems.length === 0) return true;
    if (!keys.refusedLater) throw new ValidationFailedError(problems);
    (req as Request & { [UNREAD]?: ErrorDetail[] })[UNREAD] = problems;
    return true;
  }

  private queryKeysOf(context: ExecutionContext): QueryKeys {
    const [controller, handler] = [context.getClass(), context.getHandler()];
    let byHandler = this.keysByHandler.get(controller);
    if (!byHandler) this.keysByHandler.set(controller, (byHandler = new WeakMap()));
    let keys = byHandler.get(handler);
    if (keys === undefined) {
      keys = this.declaredKeys(context);
      byHandler.set(handler, keys);
    }
    return keys;
  }

  private declaredKeys(context: ExecutionContext): QueryKeys {
    if (this.reflector.getAllAndOverride<boolean>(ANY_QUERY, [context.getHandler(), context.getClass()]))
      return READS_ANYTHING;
    const params = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ??
      {}) as Record<string, { data?: unknown }>;
    let read: Set<string> | 'all' = new Set<string>();
    let readsBody = false;
    for (const [key, { data }] of Object.entries(params)) {
      const type = key.split(':')[0];
      // The request itself: its handler reads what it will of it (a hook call's body, an upload's stream).
      if ([RouteParamtypes.BODY, RouteParamtypes.RAW_BODY, RouteParamtypes.REQUEST].map(String).includes(type))
        readsBody = true;
      if (type !== String(RouteParamtypes.QUERY)) continue;
      if (typeof data !== 'string') read = 'all';
      else if (read !== 'all') read.add(data);
    }
    const refusedLater = this.reflector.get<boolean>(REFUSED_AFTER, context.getHandler()) === true;
    return { read, refusedLater, readsBody };
  }
}
