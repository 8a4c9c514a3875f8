import type { Request } from 'express';

const BEFORE_REPLY = Symbol('before reply');

/** Given the handler's result; never rejects. */
export type BeforeReply = (result: unknown) => Promise<void>;

type WithBeforeReply = Request & { [BEFORE_REPLY]?: BeforeReply };

/**
 * Runs `hook` with the handler's result when it is about to be sent (by EnvelopeExpressAdapter), and sends
 * it once the hook is done: for what must be settled before the client learns the outcome, such as the
 * request's audit entry. One per request; an error answer (sent by the exception filters) does not run it.
 */
export function beforeReply(req: Request, hook: BeforeReply): void {
  (req as WithBeforeReply)[BEFORE_REPLY] = hook;
}

/** The request's hook, removed from it: it runs once. */
export function takeBeforeReply(req: Request): BeforeReply | undefined {
  const hook = (req as WithBeforeReply)[BEFORE_REPLY];
  if (hook) (req as WithBeforeReply)[BEFORE_REPLY] = undefined;
  return hook;
}
