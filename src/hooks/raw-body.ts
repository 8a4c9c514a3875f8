import type { IncomingMessage } from 'node:http';

const RAW_BODY = Symbol('ymera.rawBody');

/** Where the body parser keeps the bytes of a body whose signature is checked (inbound hook calls). */
export function keepRawBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  (req as IncomingMessage & { [RAW_BODY]?: Buffer })[RAW_BODY] = buffer;
}

/** The body as it arrived (empty when there was none). */
export function rawBodyOf(req: IncomingMessage): Buffer {
  return (req as IncomingMessage & { [RAW_BODY]?: Buffer })[RAW_BODY] ?? Buffer.alloc(0);
}
