import type { IncomingMessage } from 'node:http';

/**
 * `cookie` is the parser Express itself depends on (it writes `Set-Cookie` with it); before 1.0 it ships
 * no type declarations, hence the typed require.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse } = require('cookie') as { parse(header: string): Record<string, string | undefined> };

const PARSED = Symbol('cookies');

/** The request's cookies, parsed once. */
export function cookiesOf(req: IncomingMessage): Record<string, string | undefined> {
  const holder = req as IncomingMessage & { [PARSED]?: Record<string, string | undefined> };
  holder[PARSED] ??= req.headers.cookie ? parse(req.headers.cookie) : {};
  return holder[PARSED];
}
