import type { IncomingMessage } from 'node:http';
import type { Express, Request } from 'express';

/**
 * The client address of a request Express never handled (a Socket.IO handshake), exactly as Express gives it
 * as `req.ip` for the app's own requests: its `trust proxy` (TRUST_PROXY) decides whether X-Forwarded-For counts.
 */
export function clientAddress(app: Express, req: IncomingMessage): string {
  const asExpress = Object.create(app.request, {
    headers: { value: req.headers },
    socket: { value: req.socket },
  }) as Request;
  return asExpress.ip ?? req.socket.remoteAddress ?? 'unknown';
}
