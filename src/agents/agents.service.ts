import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, Not } from 'typeorm';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { Page } from '../common/http/envelope';
import { type SharedCache, SharedCaches } from '../redis/shared-cache';
import { SchemaValidator } from '../common/schema/schema-validator';
import { ValidationFailedError } from '../common/errors/app.error';
import { AgentSecrets } from './agent-secrets';
import { AgentTypeRegistry } from './agent-type.registry';
import { AgentNameTakenError, AgentNotFoundError, ConfigVersionNotFoundError } from './agents.errors';
import type { AgentQueryDto, CreateAgentDto, UpdateAgentDto } from './dto/agent.dto';
import { AgentConfigVersionEntity, type ConfigVersionSource } from './entities/agent-config-version.entity';
import { AgentStateStore } from './agent-state.store';
import { AgentEntity } from './entities/agent.entity';

const UNIQUE_VIOLATION = '23505';

/** What a worker needs to run a task of an agent: always read fresh, so config changes apply to the next task. */
export interface AgentRuntime {
  agent: AgentEntity;
  config: Record<string, unknown>;
}

const AGENT_CACHE_TTL_MS = 5000;

@Injectable()
export class AgentsService {
  private readonly logger = new Logger(AgentsService.name);
  private readonly forTasks: SharedCache<AgentEntity>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly types: AgentTypeRegistry,
    private readonly validator: SchemaValidator,
    private readonly secrets: AgentSecrets,
    private readonly audit: AuditService,
    private readonly states: AgentStateStore,
    caches: SharedCaches,
  ) {
    this.forTasks = caches.create('agent', (id) => this.repo.findOneBy({ id, deletedAt: IsNull() }), {
      ttlMs: AGENT_CACHE_TTL_MS,
      max: 10_000,
    });
  }

  private get repo() {
    return this.dataSource.getRepository(AgentEntity);
  }

  /** Once a change to the agent is committed, every process drops its cached copy. */
  private async changed<T>(id: string, change: Promise<T>): Promise<T> {
    const result = await change;
    await this.forTasks.invalidate(id);
    return result;
  }

  /**
   * A live agent, for accepting a task: cached per process (every change clears it everywhere, and an
   * entry lives a few seconds at most). Reads that show the agent use {@link get}.
   */
  async forTask(id: string): Promise<AgentEntity> {
    const agent = await this.forTasks.get(id);
    if (!agent) throw new AgentNotFoundError();
    return agent;
  }

  /** The config in a response or an audit entry: secrets masked. */
  masked(agent: Pick<AgentEntity, 'type'>, sealed: Record<string, unknown>): Record<string, unknown> {
    return this.secrets.mask(sealed, this.types.get(agent.type).configSchema);
  }

  private validateConfig(type: string, config: unknown): Record<string, unknown> {
    const result = this.validator.validate<Record<string, unknown>>(
      this.types.get(type).configSchema,
      config,
      '/config',
    );
    if (!result.valid)
      throw new ValidationFailedError(result.errors, 'The configuration does not match the agent type');
    return result.value;
  }

  async create(principal: Principal, input: CreateAgentDto, audit?: AuditRequestContext): Promise<AgentEntity> {
    const type = this.types.get(input.type);
    const plain = this.secrets.keepMasked(input.config ?? {}, {}, type.configSchema);
    const config = this.secrets.seal(this.validateConfig(input.type, plain), type.configSchema);
    return this.uniqueName(() =>
      this.dataSource.transaction(async (em) => {
        const agent = await em.save(
          em.create(AgentEntity, {
            name: input.name,
            type: input.type,
            description: input.description ?? null,
            config,
            configVersion: 1,
            concurrency: input.concurrency ?? 1,
            timeoutMs: input.timeoutMs ?? 60_000,
            createdBy: principal.userId,
          }),
        );
        await this.addVersion(em, agent, principal, 'create');
        await this.audit.record(
          {
            action: 'agent.create',
            outcome: 'success',
            resourceType: 'agent',
            resourceId: agent.id,
            details: { name: agent.name, type: agent.type, config: this.masked(agent, config) },
          },
          em,
          audit,
        );
        return agent;
      }),
    );
  }

  async list(query: AgentQueryDto): Promise<Page<AgentEntity>> {
    const qb = this.repo.createQueryBuilder('a').where('a.deletedAt IS NULL');
    if (query.type) qb.andWhere('a.type = :type', { type: query.type });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (query.q) {
      qb.andWhere('(a.name ILIKE :q OR a.description ILIKE :q)', { q: `%${query.q.replace(/[\\%_]/g, '\\$&')}%` });
    }
    const [items, total] = await qb.orderBy('a.createdAt', 'DESC').skip(query.skip).take(query.limit).getManyAndCount();
    return new Page(items, total, query.skip, query.limit);
  }

  async get(id: string): Promise<AgentEntity> {
    const agent = await this.repo.findOneBy({ id, deletedAt: IsNull() });
    if (!agent) throw new AgentNotFoundError();
    return agent;
  }

  async exists(id: string): Promise<boolean> {
    return this.repo.exists({ where: { id, deletedAt: IsNull() } });
  }

  async isDeleted(id: string): Promise<boolean> {
    return this.repo.exists({ where: { id, deletedAt: Not(IsNull()) } });
  }

  async update(id: string, changes: UpdateAgentDto, audit?: AuditRequestContext): Promise<AgentEntity> {
    return this.changed(
      id,
      this.uniqueName(() =>
        this.dataSource.transaction(async (em) => {
          const agent = await this.lockLive(em, id);
          const before = {
            name: agent.name,
            status: agent.status,
            concurrency: agent.concurrency,
            timeoutMs: agent.timeoutMs,
          };
          Object.assign(agent, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
          const saved = await em.save(agent);
          const action =
            changes.status && changes.status !== before.status
              ? `agent.${changes.status === 'paused' ? 'pause' : 'resume'}`
              : 'agent.update';
          await this.audit.record(
            {
              action,
              outcome: 'success',
              resourceType: 'agent',
              resourceId: id,
              details: { before, changes: { ...changes } },
            },
            em,
            audit,
          );
          return saved;
        }),
      ),
    );
  }

  /** Soft delete: the agent and its history stay; it no longer lists, answers or takes tasks. */
  async remove(id: string, audit?: AuditRequestContext): Promise<void> {
    await this.changed(
      id,
      this.dataSource.transaction(async (em) => {
        const agent = await this.lockLive(em, id);
        await em.update(AgentEntity, { id }, { deletedAt: new Date() });
        await this.audit.record(
          {
            action: 'agent.delete',
            outcome: 'success',
            resourceType: 'agent',
            resourceId: id,
            details: { name: agent.name },
          },
          em,
          audit,
        );
      }),
    );
  }

  /**
   * A new version from a new config; secrets sent back as "********" keep their current value, as long as
   * the type's target (its url) stays the same: a secret is only ever sent where it was given for.
   */
  async setConfig(
    principal: Principal,
    id: string,
    config: Record<string, unknown>,
    audit?: AuditRequestContext,
  ): Promise<AgentEntity> {
    return this.changed(
      id,
      this.dataSource.transaction(async (em) => {
        const agent = await this.lockLive(em, id);
        const schema = this.types.get(agent.type).configSchema;
        const merged = this.secrets.keepMasked(config, agent.config, schema);
        return this.applyConfig(
          em,
          principal,
          agent,
          this.secrets.seal(this.validateConfig(agent.type, merged), schema),
          'update',
          undefined,
          audit,
        );
      }),
    );
  }

  /**
   * A new version equal to an earlier one, secrets included: each stays bound to the target it was given
   * for, so an older target never receives a newer secret.
   */
  async rollback(principal: Principal, id: string, version: number, audit?: AuditRequestContext): Promise<AgentEntity> {
    return this.changed(
      id,
      this.dataSource.transaction(async (em) => {
        const agent = await this.lockLive(em, id);
        const target = await em.findOneBy(AgentConfigVersionEntity, { agentId: id, version });
        if (!target) throw new ConfigVersionNotFoundError(version);
        return this.applyConfig(em, principal, agent, target.config, 'rollback', version, audit);
      }),
    );
  }

  async versions(id: string, skip: number, limit: number): Promise<Page<AgentConfigVersionEntity>> {
    await this.get(id);
    const [items, total] = await this.dataSource.getRepository(AgentConfigVersionEntity).findAndCount({
      where: { agentId: id },
      order: { version: 'DESC' },
      skip,
      take: limit,
    });
    return new Page(items, total, skip, limit);
  }

  async checkpoint(id: string): Promise<{ state: unknown; savedAt: Date | null }> {
    await this.get(id);
    const saved = await this.states.saved(id);
    return { state: saved?.state ?? null, savedAt: saved?.savedAt ?? null };
  }

  /**
   * The agent and its decrypted current config, for running a task now. A secret bound to another target
   * than the config's (which the API never stores) is left out rather than sent there.
   */
  runtimeOf(agent: AgentEntity): AgentRuntime {
    const { config, withheld } = this.secrets.forRun(agent.config, this.types.get(agent.type).configSchema);
    if (withheld.length) {
      this.logger.warn(
        `agent ${agent.id}: secrets given for another target left out of config version ${agent.configVersion}: ${withheld.join(', ')}`,
      );
    }
    return { agent, config };
  }

  private async applyConfig(
    em: EntityManager,
    principal: Principal,
    agent: AgentEntity,
    sealed: Record<string, unknown>,
    source: ConfigVersionSource,
    rolledBackFrom?: number,
    audit?: AuditRequestContext,
  ): Promise<AgentEntity> {
    agent.config = sealed;
    agent.configVersion += 1;
    const saved = await em.save(agent);
    await this.addVersion(em, saved, principal, source, rolledBackFrom);
    await this.audit.record(
      {
        action: source === 'rollback' ? 'agent.config_rollback' : 'agent.config_update',
        outcome: 'success',
        resourceType: 'agent',
        resourceId: agent.id,
        details: { version: saved.configVersion, rolledBackFrom, config: this.masked(agent, sealed) },
      },
      em,
      audit,
    );
    return saved;
  }

  private async addVersion(
    em: EntityManager,
    agent: AgentEntity,
    principal: Principal,
    source: ConfigVersionSource,
    rolledBackFrom?: number,
  ): Promise<void> {
    await em.save(
      em.create(AgentConfigVersionEntity, {
        agentId: agent.id,
        version: agent.configVersion,
        config: agent.config,
        source,
        rolledBackFrom: rolledBackFrom ?? null,
        createdBy: principal.userId,
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

  private async uniqueName<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION)
        throw new AgentNameTakenError();
      throw err;
    }
  }
}
