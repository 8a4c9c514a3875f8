import { Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import type { LiveRateLimiter, LiveRefusal } from '../throttling/live-rate-limiter';
import { LiveLimits, REFUSALS_BEFORE_DISCONNECT } from './live-limits';

type Middleware = (packet: unknown[], next: (err?: Error) => void) => void;

const principal: Principal = {
  type: 'user',
  userId: 'u1',
  email: 'u1@test.local',
  role: 'viewer',
  permissions: new Set(),
};

/** A limiter whose verdicts the test hands out, one per message, in any order. */
function fakeLimiter() {
  const verdicts: { resolve: (r: LiveRefusal | undefined) => void; reject: (err: Error) => void }[] = [];
  const clients: string[] = [];
  const limiter = {
    take: (client: string) =>
      new Promise<LiveRefusal | undefined>((resolve, reject) => {
        clients.push(client);
        verdicts.push({ resolve, reject });
      }),
  };
  return { limiter: limiter as unknown as LiveRateLimiter, verdicts, clients };
}

function fakeSocket() {
  let middleware: Middleware | undefined;
  const socket = {
    use: (fn: Middleware) => (middleware = fn),
    disconnect: jest.fn(),
  };
  return {
    socket: socket as unknown as Socket & { disconnect: jest.Mock },
    send: (packet: unknown[]) => middleware!(packet, jest.fn()),
    middleware: () => middleware!,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveLimits.limitMessages', () => {
  afterEach(() => jest.restoreAllMocks());

  it("counts each message against its caller's budget and hands them on in the order they came", async () => {
    const { limiter, verdicts, clients } = fakeLimiter();
    const { socket, middleware } = fakeSocket();
    new LiveLimits(limiter, {} as HttpAdapterHost).limitMessages(socket, principal);
    const handed: string[] = [];
    middleware()(['subscribe'], () => handed.push('subscribe'));
    middleware()(['unsubscribe'], () => handed.push('unsubscribe'));
    expect(clients).toEqual(['user:u1', 'user:u1']);
    // The later message's verdict comes first: it still waits for the one before it.
    verdicts[1].resolve(undefined);
    await settle();
    expect(handed).toEqual([]);
    verdicts[0].resolve(undefined);
    await settle();
    expect(handed).toEqual(['subscribe', 'unsubscribe']);
  });

  it('acknowledges a refused message with RATE_LIMITED and never hands it on', async () => {
    const { limiter, verdicts } = fakeLimiter();
    const { socket, middleware } = fakeSocket();
    new LiveLimits(limiter, {} as HttpAdapterHost).limitMessages(socket, principal);
    const ack = jest.fn();
    const next = jest.fn();
    middleware()(['subscribe', { taskId: 'x' }, ack], next);
    verdicts[0].resolve({ retryAfter: 42 });
    await settle();
    expect(next).not.toHaveBeenCalled();
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.any(String), retryAfter: 42 },
    });
  });

  it('refuses with SERVICE_UNAVAILABLE when the budget cannot be read', async () => {
    const { limiter, verdicts } = fakeLimiter();
    const { socket, middleware } = fakeSocket();
    new LiveLimits(limiter, {} as HttpAdapterHost).limitMessages(socket, principal);
    const ack = jest.fn();
    middleware()(['subscribe', {}, ack], jest.fn());
    verdicts[0].reject(new Error('Redis is down'));
    await settle();
    expect(ack.mock.calls[0][0].error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('disconnects a socket refused many times in a row, and only then', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { limiter, verdicts } = fakeLimiter();
    const { socket, send } = fakeSocket();
    new LiveLimits(limiter, {} as HttpAdapterHost).limitMessages(socket, principal);
    const refuse = async (n: number) => {
      for (let i = 0; i < n; i += 1) send(['subscribe']);
      for (const verdict of verdicts.splice(0)) verdict.resolve({ retryAfter: 1 });
      await settle();
    };
    await refuse(REFUSALS_BEFORE_DISCONNECT - 1);
    // An accepted message starts the count again.
    send(['subscribe']);
    verdicts.splice(0)[0].resolve(undefined);
    await refuse(REFUSALS_BEFORE_DISCONNECT - 1);
    expect(socket.disconnect).not.toHaveBeenCalled();
    await refuse(1);
    expect(socket.disconnect).toHaveBeenCalledWith(true);
  });
});
