import Redis from 'ioredis';
import { AgentExecutionError } from '../../src/agents/agent-type';
import { CircuitBreakers } from '../../src/agents/outbound/circuit-breakers';
import { type HostResolver, NetworkGuard } from '../../src/agents/outbound/network-guard';
import { OutboundHttpClient } from '../../src/agents/outbound/outbound-http.client';
import { HttpAgentType } from '../../src/agents/types/http/http.agent-type';
import { LlmAgentType } from '../../src/agents/types/llm/llm.agent-type';
import type { AppConfig } from '../../src/config/app-config';
import { TableResolver } from '../fakes/host-resolver';
import { LoopbackServer } from './loopback-server';
import { TestEnv } from './test-app';

/** The remote agent types over one outbound client and one set of breakers, as the app wires them. */
export function agents(
  config: AppConfig,
  redis: Redis,
  resolver: HostResolver = new TableResolver({ 'internal.test': ['10.1.2.3'] }),
) {
  const client = new OutboundHttpClient(new NetworkGuard(config, resolver));
  const breakers = new CircuitBreakers(config, redis);
  return { client, breakers, http: new HttpAgentType(client, breakers), llm: new LlmAgentType(client, breakers) };
}

export type AgentKit = ReturnType<typeof agents>;

/** The error a remote agent's call failed with; fails the test if it did not fail, or failed otherwise. */
export async function failure(promise: Promise<unknown>): Promise<AgentExecutionError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AgentExecutionError);
    return err as AgentExecutionError;
  }
  throw new Error('expected the call to fail');
}

/** Private targets allowed (the loopback server is one), and a breaker that opens after 3 failures for 300 ms. */
export const ON_LOOPBACK = {
  AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
  AGENT_BREAKER_THRESHOLD: '3',
  AGENT_BREAKER_RESET_MS: '300',
};

export interface RemoteAgentsTestBed {
  /** The test environment, with the settings given. */
  env: TestEnv;
  /** The remote end that the agents call. */
  server: LoopbackServer;
  /** Starts `server`, connects to Redis and makes the agents, resolving names with `resolver` (for beforeAll). */
  start(resolver?: HostResolver): Promise<{ base: string; redis: Redis; kit: AgentKit }>;
  /** Closes the agents' client, stops `server`, disconnects Redis and removes `env` (for afterAll). */
  stop(): Promise<void>;
}

/** The remote agent types called directly (no app) on a test environment, with a loopback server to call. */
export function remoteAgentsTestBed(settings: Record<string, string>): RemoteAgentsTestBed {
  const env = new TestEnv(settings);
  const server = new LoopbackServer();
  let redis: Redis;
  let kit: AgentKit;
  return {
    env,
    server,
    async start(resolver) {
      const base = await server.start();
      redis = new Redis(env.config.redis.url, { keyPrefix: `${env.config.redis.prefix}:` });
      kit = agents(env.config, redis, resolver);
      return { base, redis, kit };
    },
    async stop() {
      await kit.client.onApplicationShutdown();
      await server.stop();
      redis.disconnect();
      await env.destroy();
    },
  };
}
