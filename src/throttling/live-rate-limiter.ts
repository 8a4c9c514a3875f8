import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Metrics } from '../metrics/metrics.service';
import { RATE_WINDOW_MS } from './rate-limit.decorator';

/** A live connection or message refused for its client's budget: the seconds until the budget opens again. */
export interface LiveRefusal {
  retryAfter: number;
}

/** Whose live budget a connection or message counts against: its user, or its API key. */
export function liveClientOf(principal: Principal): string {
  return principal.type === 'apiKey' ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
}

/**
 * The budget of live traffic (Socket.IO connections and every message a socket sends), RATE_LIMIT_LIVE_PER_MIN
 * per client and fixed minute, counted in Redis like the HTTP budgets (so every instance shares it) but apart
 * from them: a console page that follows a hundred agents sends a hundred `subscribe`s at once, which must not
 * use up the user's HTTP calls. Over it, a client is refused for the rest of a minute. A client known to be
 * refused is refused here without asking Redis again until then: a flood costs no round trip.
 */
@Injectable()
export class LiveRateLimiter {
  private readonly limit: number;
  /** Clients refused, by the time (ms since the epoch) their block ends. */
  private readonly blocked = new LRUCache<string, number>({ max: 10_000, ttl: RATE_WINDOW_MS });

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limit = config.rateLimits.livePerMinute;
  }

  /** Counts one connection or message of `client` (`user:<id>`, `key:<id>`, `ip:<address>`): its refusal, if over. */
  async take(client: string): Promise<LiveRefusal | undefined> {
    const until = this.blocked.get(client);
    if (until !== undefined && until > Date.now()) return this.refuse(until - Date.now());
    const record = await this.storage.increment(`live:${client}`, RATE_WINDOW_MS, this.limit, RATE_WINDOW_MS, 'live');
    if (!record.isBlocked) return undefined;
    const blockMs = record.timeToBlockExpire * 1000;
    this.blocked.set(client, Date.now() + blockMs, { ttl: blockMs });
    return this.refuse(blockMs);
  }

  private refuse(ms: number): LiveRefusal {
    this.metrics.rateLimited();
    return { retryAfter: Math.max(1, Math.ceil(ms / 1000)) };
  }
}
