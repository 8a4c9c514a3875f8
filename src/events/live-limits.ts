import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Express } from 'express';
import type { ExtendedError, Server, Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import { clientAddress } from '../common/http/client-address';
import { type LiveRefusal, liveClientOf, LiveRateLimiter } from '../throttling/live-rate-limiter';

/** Messages refused in a row after which a socket is disconnected: it is not slowing down. */
export const REFUSALS_BEFORE_DISCONNECT = 100;

/** A refused connection as its client sees it (`connect_error`): the code as its message and in its data. */
export function connectRefusal(code: string, extra: Record<string, unknown> = {}): ExtendedError {
  return Object.assign(new Error(code), { data: { code, ...extra } });
}

/** The acknowledgement of a message refused before it was handled. */
export interface MessageRefusal {
  ok: false;
  error: { code: string; message: string; retryAfter?: number };
}

const rateLimited = ({ retryAfter }: LiveRefusal): MessageRefusal => ({
  ok: false,
  error: { code: 'RATE_LIMITED', message: 'Too many live messages; slow down', retryAfter },
});
const UNAVAILABLE: MessageRefusal = {
  ok: false,
  error: { code: 'SERVICE_UNAVAILABLE', message: 'Rate limits cannot be checked; try again shortly' },
};

/**
 * Holds Socket.IO traffic to the live budget (LiveRateLimiter): each new Engine.IO session (a handshake, before
 * anyone is known) per client address, each connection to `/events` per principal, and each message a socket
 * sends (`subscribe`, `unsubscribe` or any other) per principal. A refused message is acknowledged with
 * `RATE_LIMITED` and never reaches its handler; a socket refused {@link REFUSALS_BEFORE_DISCONNECT} times in a
 * row is disconnected. Redis out of reach refuses, as it does HTTP requests.
 */
@Injectable()
export class LiveLimits {
  private readonly logger = new Logger(LiveLimits.name);

  constructor(
    private readonly limiter: LiveRateLimiter,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Counts every new session of `engine` against its client's address (TRUST_PROXY applies, as for HTTP). */
  limitHandshakes(engine: Server['engine']): void {
    const app = this.adapterHost.httpAdapter.getInstance<Express>();
    engine.opts.allowRequest = (req, allow) => {
      this.limiter.take(`ip:${clientAddress(app, req)}`).then(
        (refusal) => (refusal ? allow('RATE_LIMITED', false) : allow(null, true)),
        () => allow('SERVICE_UNAVAILABLE', false),
      );
    };
  }

  /** Counts a connection of `principal`: the error refusing it, if over budget. */
  async admit(principal: Principal): Promise<ExtendedError | undefined> {
    const refusal = await this.limiter.take(liveClientOf(principal));
    return refusal && connectRefusal('RATE_LIMITED', { retryAfter: refusal.retryAfter });
  }

  /**
   * Counts each message of `socket` as it arrives (its budget checked at once), and hands them on in the order
   * they came: an `unsubscribe` never overtakes the `subscribe` before it.
   */
  limitMessages(socket: Socket, principal: Principal): void {
    const client = liveClientOf(principal);
    let previous: Promise<unknown> = Promise.resolve();
    let refusedInARow = 0;
    socket.use((packet, next) => {
      const verdict = this.limiter.take(client).then(
        (refusal) => refusal && rateLimited(refusal),
        () => UNAVAILABLE,
      );
      const turn = previous.then(() => verdict);
      previous = turn;
      void turn.then((refused) => {
        if (!refused) {
          refusedInARow = 0;
          return next();
        }
        const ack: unknown = packet[packet.length - 1];
        if (typeof ack === 'function') ack(refused);
        refusedInARow += 1;
        if (refusedInARow === REFUSALS_BEFORE_DISCONNECT) {
          this.logger.warn(`disconnected a live client that kept sending over its budget (${client})`);
          socket.disconnect(true);
        }
      });
    });
  }
}
