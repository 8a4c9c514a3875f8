import type { LoggerService } from '@nestjs/common';
import { nonRetryable } from '../agents/agent-type';
import type { AgentLookup } from './ports';

type RunnableAgent = Parameters<AgentLookup['runtimeOf']>[0];

/**
 * The agent's config for an attempt, its secrets opened. Secrets this process's SECRETS_KEY cannot open (the key
 * was changed, and the database's check of it reset by hand) would open no better on the next attempt: the
 * attempt fails for good with a code that says so, and the log says which agent, rather than the job failing
 * before any attempt was recorded and the task waiting, queued, for ever.
 */
export function runConfig(
  agents: Pick<AgentLookup, 'runtimeOf'>,
  agent: RunnableAgent,
  logger: LoggerService,
): unknown {
  try {
    return agents.runtimeOf(agent).config;
  } catch (err) {
    logger.error(`agent ${agent.id}: its secrets cannot be opened with this SECRETS_KEY (${(err as Error).message})`);
    throw nonRetryable('SECRETS_UNREADABLE', "The agent's secrets cannot be opened with this process's SECRETS_KEY");
  }
}
