import { StreamableFile } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import express, { type Response } from 'express';
import { takeBeforeReply } from './before-reply';
import { successEnvelope } from './envelope';

/** The API's own paths (`/api/v1/...`); health, metrics, docs and the queue board answer as they are. */
const API_PATH = /^\/api\//;

/**
 * Express, with the contract's success envelope put on every `/api` result where Nest sends it, once the
 * request's {@link beforeReply} hook (its audit entry) is done.
 *
 * This is the one place every handler's result passes through: Nest runs a route that has any interceptor
 * through a chain of Observables, an async scope and a client-disconnect listener on every request, which
 * cost a read about a seventh of its CPU, so no route has one. Errors are enveloped by the exception filter,
 * and SSE streams are not sent through here.
 */
export class EnvelopeExpressAdapter extends ExpressAdapter {
  /**
   * Routes match their path's case exactly: `/API/V1/TASKS` is not `/api/v1/tasks` but a 404. With Express's
   * default, such a path reached the route while every check of a path written in lower case (the envelope
   * and `no-store` here, the per-route body limits, hooks' raw bodies, uploads) let it by. Set before the
   * adapter's first `use`, which makes the router.
   */
  constructor() {
    const app = express();
    app.set('case sensitive routing', true);
    super(app);
  }

  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    const hook = takeBeforeReply(response.req);
    // Nest awaits what `reply` returns.
    return hook ? hook(body).then(() => this.send(response, body, statusCode)) : this.send(response, body, statusCode);
  }

  private send(response: Response, body: unknown, statusCode?: number): unknown {
    // Already answered: the request ran past its deadline and got its 504 (see requestDeadline).
    if (response.headersSent) return undefined;
    const req = response.req;
    const api = API_PATH.test(req.originalUrl);
    // A file's content too: what a caller may read is theirs alone.
    if (api) response.setHeader('Cache-Control', 'no-store');
    if (api && !(body instanceof StreamableFile)) {
      const status = statusCode ?? response.statusCode;
      const envelope = successEnvelope(req, status, body);
      if (envelope === undefined) return super.reply(response, undefined, statusCode);
      // What `res.json()` sends, without its settings lookups, content-type parsing and freshness check: API
      // responses carry no ETag or Last-Modified, so they are never a 304.
      const json = JSON.stringify(envelope);
      response.statusCode = status;
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.setHeader('Content-Length', Buffer.byteLength(json));
      response.end(req.method === 'HEAD' ? undefined : json);
      return response;
    }
    return super.reply(response, body, statusCode);
  }
}
