import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ProcessTimer } from '../jobs/process-timer';
import { AgentStateEntity } from './entities/agent-state.entity';

/** How often changed agent state documents are written to Postgres. */
export const AGENT_STATE_FLUSH_MS = 5000;

/** An agent's state document as an executor sees it. */
export interface AgentStateHandle {
  get<T = unknown>(): T | undefined;
  set(state: unknown): void;
}

interface Entry {
  value: unknown;
  dirty: boolean;
}

/**
 * Agent state documents, and the one owner of their table. A worker holds the documents of the agents it
 * runs: loaded from Postgres the first time an agent runs here, written back every few seconds when changed
 * and once more on graceful shutdown, after the worker has stopped.
 */
@Injectable()
export class AgentStateStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AgentStateStore.name);
  private readonly entries = new Map<string, Entry>();
  private readonly timer = new ProcessTimer('agent state flush', AGENT_STATE_FLUSH_MS, () => this.flush(), this.logger);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer.start();
  }

  async handle(agentId: string): Promise<AgentStateHandle> {
    let entry = this.entries.get(agentId);
    if (!entry) {
      const saved = await this.saved(agentId);
      entry = this.entries.get(agentId) ?? { value: saved?.state ?? undefined, dirty: false };
      this.entries.set(agentId, entry);
    }
    const current = entry;
    return {
      get: <T>() => structuredClone(current.value) as T | undefined,
      set: (state: unknown) => {
        current.value = structuredClone(state);
        current.dirty = true;
      },
    };
  }

  /** The agent's document as last saved to Postgres, with when; undefined when it never saved one. */
  async saved(agentId: string): Promise<{ state: unknown; savedAt: Date } | undefined> {
    const row = await this.dataSource.getRepository(AgentStateEntity).findOneBy({ agentId });
    return row ? { state: row.state, savedAt: row.savedAt } : undefined;
  }

  /** Writes every changed document; returns how many. */
  async flush(): Promise<number> {
    let written = 0;
    for (const [agentId, entry] of this.entries) {
      if (!entry.dirty) continue;
      entry.dirty = false;
      try {
        await this.dataSource
          .getRepository(AgentStateEntity)
          .upsert(
            { agentId, state: (entry.value ?? null) as object, savedAt: new Date() },
            { conflictPaths: ['agentId'] },
          );
        written += 1;
      } catch (err) {
        entry.dirty = true;
        this.logger.warn(`could not save the state of agent ${agentId}: ${(err as Error).message}`);
      }
    }
    return written;
  }

  /** The last write happens when the worker has stopped (see TaskWorker); here only the timer stops. */
  onApplicationShutdown(): void {
    this.timer.stop();
  }
}
