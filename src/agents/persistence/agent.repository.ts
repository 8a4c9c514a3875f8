import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, IsNull, Not, type Repository } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { refuseBeyondLimit } from '../../common/per-user-limit';
import { containsPattern } from '../../common/search-pattern';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AgentNameTakenError, AgentNotFoundError } from '../agents.errors';
import { AgentConfigVersionEntity, type ConfigVersionSource } from '../entities/agent-config-version.entity';
import { AgentEntity, type AgentStatus } from '../entities/agent.entity';

const UNIQUE_VIOLATION = '23505';

/** Which live agents a list shows; `q` matches the name or the description, ignoring case. */
export interface AgentListFilter {
  type?: string;
  status?: AgentStatus;
  q?: string;
  skip: number;
  limit: number;
}

/** The fields of a new agent; its config is stored as version 1. */
export type NewAgent = Pick<
  AgentEntity,
  'name' | 'type' | 'description' | 'config' | 'concurrency' | 'concurrencyPerKey' | 'timeoutMs' | 'createdBy'
>;

/** A config version to record with a change: the agent's config and config version as the change left them. */
export interface VersionRecord {
  source: ConfigVersionSource;
  rolledBackFrom?: number;
  createdBy: string | null;
}

/** What a change made to a locked agent is recorded as: its audit event, and a config version if it made one. */
export interface AgentChange {
  event: AuditEvent;
  version?: VersionRecord;
}

/** The config of one of the agent's earlier versions, read under the agent's lock. */
export type EarlierConfig = (version: number) => Promise<Record<string, unknown> | undefined>;

/**
 * Every statement on `agents` and `agent_config_versions`: each change runs under the agent's row lock
 * in one transaction with its audit entry (and its config version, when it made one). A name taken by
 * another live agent is an {@link AgentNameTakenError}. Callers speak in agents, never in SQL or entities.
 */
@Injectable()
export class AgentRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'perUser'>,
  ) {}

  private get agents() {
    return this.dataSource.getRepository(AgentEntity);
  }

  /** The agents in `em`'s transaction when given one, else on the pool. */
  private agentsIn(em?: EntityManager): Repository<AgentEntity> {
    return em ? em.getRepository(AgentEntity) : this.agents;
  }

  /** A live (not deleted) agent; in the caller's transaction when given one (`em`). */
  async findLive(id: string, em?: EntityManager): Promise<AgentEntity | null> {
    return this.agentsIn(em).findOneBy({ id, deletedAt: IsNull() });
  }

  exists(id: string): Promise<boolean> {
    return this.agents.exists({ where: { id, deletedAt: IsNull() } });
  }

  /**
   * Which of `ids` are live agents, in one statement; in the caller's transaction when given one (`em`), which
   * a caller holding a lock must give: waiting for a second connection while holding one can starve the pool.
   */
  async liveIds(ids: string[], em?: EntityManager): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const live = await this.agentsIn(em).find({ select: { id: true }, where: { id: In(ids), deletedAt: IsNull() } });
    return new Set(live.map((agent) => agent.id));
  }

  isDeleted(id: string, em?: EntityManager): Promise<boolean> {
    return this.agentsIn(em).exists({ where: { id, deletedAt: Not(IsNull()) } });
  }

  /** Live agents, newest first. */
  async list(filter: AgentListFilter): Promise<{ items: AgentEntity[]; total: number }> {
    const qb = this.agents.createQueryBuilder('a').where('a.deletedAt IS NULL');
    if (filter.type) qb.andWhere('a.type = :type', { type: filter.type });
    if (filter.status) qb.andWhere('a.status = :status', { status: filter.status });
    if (filter.q) {
      qb.andWhere('(a.name ILIKE :q OR a.description ILIKE :q)', { q: containsPattern(filter.q) });
    }
    const [items, total] = await qb
      .orderBy('a.createdAt', 'DESC')
      .skip(filter.skip)
      .take(filter.limit)
      .getManyAndCount();
    return { items, total };
  }

  /** The agent's config versions, newest first. */
  async versions(
    agentId: string,
    skip: number,
    limit: number,
  ): Promise<{ items: AgentConfigVersionEntity[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(AgentConfigVersionEntity).findAndCount({
      where: { agentId },
      order: { version: 'DESC' },
      skip,
      take: limit,
    });
    return { items, total };
  }

  /**
   * Stores a new agent, its config as version 1 and the audit entry `eventOf` makes of it; one agent more than
   * AGENTS_PER_USER allows its creator is refused (409).
   */
  create(
    fields: NewAgent,
    eventOf: (agent: AgentEntity) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<AgentEntity> {
    return this.uniqueName(
      this.dataSource.transaction(async (em) => {
        if (fields.createdBy) await refuseBeyondLimit(em, AgentEntity, fields.createdBy, this.config.perUser.agents);
        const agent = await em.save(em.create(AgentEntity, { ...fields, configVersion: 1 }));
        await this.addVersion(em, agent, { source: 'create', createdBy: fields.createdBy });
        await this.audit.record(eventOf(agent), em, context);
        return agent;
      }),
    );
  }

  /**
   * Changes a live agent under its lock: `apply` changes the agent it is given (and may read earlier
   * configs) and says how the change is recorded, or refuses it by throwing (nothing is written); the agent
   * is then saved with it.
   */
  change(
    id: string,
    apply: (agent: AgentEntity, earlier: EarlierConfig) => AgentChange | Promise<AgentChange>,
    context?: AuditRequestContext,
  ): Promise<AgentEntity> {
    return this.uniqueName(
      this.dataSource.transaction(async (em) => {
        const agent = await this.lockLive(em, id);
        const { event, version } = await apply(agent, async (n) => {
          const found = await em.findOneBy(AgentConfigVersionEntity, { agentId: id, version: n });
          return found?.config;
        });
        const saved = await em.save(agent);
        if (version) await this.addVersion(em, saved, version);
        await this.audit.record(event, em, context);
        return saved;
      }),
    );
  }

  /**
   * Marks a live agent deleted, with the audit entry `eventOf` makes of it (asked first, under the lock: it
   * may refuse by throwing, and nothing is written); its rows and history stay.
   */
  async softDelete(
    id: string,
    eventOf: (agent: AgentEntity) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const agent = await this.lockLive(em, id);
      const event = eventOf(agent);
      await em.update(AgentEntity, { id }, { deletedAt: new Date() });
      await this.audit.record(event, em, context);
    });
  }

  private async addVersion(em: EntityManager, agent: AgentEntity, record: VersionRecord): Promise<void> {
    await em.save(
      em.create(AgentConfigVersionEntity, {
        agentId: agent.id,
        version: agent.configVersion,
        config: agent.config,
        source: record.source,
        rolledBackFrom: record.rolledBackFrom ?? null,
        createdBy: record.createdBy,
      }),
    );
  }

  private async lockLive(em: EntityManager, id: string): Promise<AgentEntity> {
    const agent = await em.findOne(AgentEntity, {
      where: { id, deletedAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    if (!agent) throw new AgentNotFoundError();
    return agent;
  }

  private async uniqueName<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION)
        throw new AgentNameTakenError();
      throw err;
    }
  }
}
