import type { IncomingMessage } from 'node:http';
import { parse } from 'cookie';

const PARSED = Symbol('cookies');

/** The request's cookies, parsed once. */
export function cookiesOf(req: IncomingMessage): Record<string, string | undefined> {
  const holder = req as IncomingMessage & { [PARSED]?: Record<string, string | undefined> };
  holder[PARSED] ??= req.headers.cookie ? parse(req.headers.cookie) : {};
  return holder[PARSED];
}
