import type { EntityManager } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { assertHolds, type Principal } from '../auth/principal';
import { AgentTypeRegistry } from './agent-type.registry';
import { AgentNotFoundError } from './agents.errors';
import { AgentsService } from './agents.service';

/** A task to be started: its agent and its input as sent (templates and all, for a workflow's step). */
export interface TaskStart {
  agentId: string;
  input: unknown;
}

/**
 * Refuses what would read a stored file for a caller that may not read files: a data-processor task over a file,
 * started directly, in a batch, or as a workflow's step, by an API key without `files:read`. The task runs as the
 * key's user, who may read the file, and its output shows the records: without this, a key scoped to tasks or
 * workflows would read what its scopes leave out. Callers holding `files:read` (every role does) cost nothing here.
 */
@Injectable()
export class FileReads {
  constructor(
    @Inject(AgentsService) private readonly agents: Pick<AgentsService, 'forTask'>,
    @Inject(AgentTypeRegistry) private readonly types: Pick<AgentTypeRegistry, 'get'>,
    @Inject(ApiKeysService) private readonly keys: Pick<ApiKeysService, 'scopesOf'>,
  ) {}

  /**
   * Whether what was set running with an API key (`keyId`; a schedule's fires, a workflow's triggers) may start
   * these tasks: a key acts within its scopes, which never change, so it starts what reads a file only with
   * `files:read` (an unknown key holds none). Set by a signed-in user (`keyId` null), it may: every role holds
   * `files:read`. `starts` is read only when it matters.
   */
  async keyMayStart(keyId: string | null, starts: () => Promise<readonly TaskStart[]>): Promise<boolean> {
    if (!keyId || (await this.keys.scopesOf(keyId))?.includes('files:read')) return true;
    return !(await this.reads(await starts()));
  }

  /**
   * `starts`: the tasks, or what reads them (only for a caller without `files:read`). `em`: the caller's
   * transaction, in which agents not cached are read.
   */
  async assertMayRead(
    principal: Principal,
    starts: readonly TaskStart[] | (() => Promise<readonly TaskStart[]>),
    what: string,
    em?: EntityManager,
  ): Promise<void> {
    if (principal.permissions.has('files:read')) return;
    if (await this.reads(typeof starts === 'function' ? await starts() : starts, em))
      assertHolds(principal, 'files:read', what);
  }

  /** Whether any of the tasks reads a stored file (a task of an unknown agent reads none). */
  async reads(starts: readonly TaskStart[], em?: EntityManager): Promise<boolean> {
    const types = new Map<string, string | undefined>();
    for (const { agentId } of starts) {
      if (types.has(agentId)) continue;
      // An unknown agent is refused by the submission itself, with its own answer.
      const agent = await this.agents.forTask(agentId, em).catch((err: unknown) => {
        if (err instanceof AgentNotFoundError) return undefined;
        throw err;
      });
      types.set(agentId, agent?.type);
    }
    const readsFile = ({ agentId, input }: TaskStart): boolean => {
      const type = types.get(agentId);
      return type !== undefined && this.types.get(type).readsFile?.(input) === true;
    };
    return starts.some(readsFile);
  }
}
