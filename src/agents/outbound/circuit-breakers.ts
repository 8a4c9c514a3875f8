import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type Redis from 'ioredis';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { Metrics } from '../../metrics/metrics.service';
import { REDIS } from '../../redis/redis.module';
import { AgentExecutionError, retryable } from '../agent-type';

export type BreakerState = 'closed' | 'open' | 'half-open';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

export const breakerKey = (agentId: string) => `breaker:${agentId}`;

/** A breaker that is not closed, as a worker last wrote it. */
export interface UnclosedBreaker {
  agentId: string;
  state: 'open' | 'half-open';
  /** When it took this state (null when the worker that wrote it did not say). */
  since: Date | null;
}

/**
 * One circuit breaker per remote agent in this process (cockatiel): after AGENT_BREAKER_THRESHOLD
 * consecutive retryable failures calls fail fast until AGENT_BREAKER_RESET_MS has passed, then one trial
 * call decides. Every change of state is written to Redis, where the API reads it for the agent.
 */
@Injectable()
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  /** When each agent's breaker last opened (in this process), by agent. */
  private readonly openedAt = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /**
   * Runs `fn` through the agent's breaker. Refused while it is open (`CIRCUIT_OPEN`, retryable), the refusal says
   * when to try again: once the breaker lets its trial call through, plus up to a quarter of AGENT_BREAKER_RESET_MS
   * at random, so that the tasks refused meanwhile are not all refused again by the trial's half-open breaker, and
   * a task's retries are not spent within the reset (its own backoff, 1 s then 2 s by default, is far shorter).
   */
  async execute<T>(agentId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.breakerFor(agentId).execute(fn);
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        const resetMs = this.config.agents.breakerResetMs;
        const untilTrialMs = Math.max(0, (this.openedAt.get(agentId) ?? Date.now()) + resetMs - Date.now());
        throw retryable(
          'CIRCUIT_OPEN',
          'The agent failed repeatedly; calls are paused while its circuit is open',
          Math.round(untilTrialMs + Math.random() * (resetMs / 4)),
        );
      }
      throw err;
    }
  }

  async stateOf(agentId: string): Promise<BreakerState> {
    return ((await this.redis.hget(breakerKey(agentId), 'state')) as BreakerState | null) ?? 'closed';
  }

  /**
   * Each worker keeps its own breakers in memory and writes every change of state to Redis; this reads that
   * last written state of the given agents in one round trip, and keeps those not closed.
   */
  async unclosed(agentIds: string[]): Promise<UnclosedBreaker[]> {
    if (agentIds.length === 0) return [];
    // Sent in the same tick, the reads leave auto-pipelined: one write (per node, on a Redis Cluster, where an
    // explicit pipeline could not span the nodes the breakers' keys live on).
    const replies = await Promise.all(agentIds.map((id) => this.redis.hmget(breakerKey(id), 'state', 'changedAt')));
    return agentIds.flatMap((agentId, i) => {
      const [state, changedAt] = replies[i] ?? [];
      if (state !== 'open' && state !== 'half-open') return [];
      const since = changedAt ? new Date(changedAt) : null;
      return [{ agentId, state, since: since && !Number.isNaN(since.getTime()) ? since : null }];
    });
  }

  private breakerFor(agentId: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(agentId);
    if (!breaker) {
      breaker = circuitBreaker(
        handleWhen((err) => err instanceof AgentExecutionError && err.retryable),
        {
          halfOpenAfter: this.config.agents.breakerResetMs,
          breaker: new ConsecutiveBreaker(this.config.agents.breakerThreshold),
        },
      );
      breaker.onStateChange((state) => {
        if (state === CircuitState.Open) this.openedAt.set(agentId, Date.now());
        else if (state === CircuitState.Closed) this.openedAt.delete(agentId);
        this.metrics?.breakerState(agentId, STATE_NAMES[state]);
        void this.redis
          .hset(breakerKey(agentId), 'state', STATE_NAMES[state], 'changedAt', new Date().toISOString())
          .catch(() => undefined);
      });
      this.breakers.set(agentId, breaker);
    }
    return breaker;
  }
}
