import type { LoggerService } from '@nestjs/common';
import type { ExecutionLogger } from '../agents/agent-type';

/** Which run of which task a line an agent logs belongs to. */
export interface ExecutionIds {
  taskId: string;
  agentId: string;
  attempt: number;
}

/**
 * The logger an agent gets while it runs a task. The agent's fields go to pino as fields (never pasted into
 * the message), so its redaction of passwords, tokens and secrets applies to them; the ids come last so an
 * agent cannot pass itself off as another task.
 */
export function executionLogger(
  logger: Pick<LoggerService, 'debug' | 'log' | 'warn'>,
  ids: ExecutionIds,
): ExecutionLogger {
  const fields = (extra?: Record<string, unknown>) => ({ ...extra, ...ids });
  return {
    debug: (message, extra) => logger.debug?.(fields(extra), message),
    info: (message, extra) => logger.log(fields(extra), message),
    warn: (message, extra) => logger.warn(fields(extra), message),
  };
}
