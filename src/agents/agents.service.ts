import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../audit/audit-context';
import { mayChange, type Principal } from '../auth/principal';
import { Page } from '../common/http/envelope';
import { type SharedCache, SharedCaches } from '../redis/shared-cache';
import { SchemaValidator } from '../common/schema/schema-validator';
import { type ErrorDetail, ValidationFailedError } from '../common/errors/app.error';
import { AgentSecrets } from './agent-secrets';
import { AgentTypeRegistry } from './agent-type.registry';
import { AgentChangeForbiddenError, AgentNotFoundError, ConfigVersionNotFoundError } from './agents.errors';
import type { AgentQueryDto, CreateAgentDto, UpdateAgentDto } from './dto/agent.dto';
import type { AgentConfigVersionEntity } from './entities/agent-config-version.entity';
import { AgentStateStore } from './agent-state.store';
import type { AgentEntity } from './entities/agent.entity';
import { type AgentChange, AgentRepository } from './persistence/agent.repository';
import { NetworkGuard } from './outbound/network-guard';
import type { AgentStore, CacheFactory, SavedAgentStates, TargetGuard } from './ports';

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
    @Inject(AgentRepository) private readonly store: AgentStore,
    private readonly types: AgentTypeRegistry,
    private readonly validator: SchemaValidator,
    private readonly secrets: AgentSecrets,
    @Inject(AgentStateStore) private readonly states: SavedAgentStates,
    @Inject(SharedCaches) caches: CacheFactory,
    @Inject(NetworkGuard) private readonly guard: TargetGuard,
  ) {
    this.forTasks = caches.create('agent', (id) => this.store.findLive(id), { ttlMs: AGENT_CACHE_TTL_MS, max: 10_000 });
  }

  /** Calls `listener` here when an agent changes in any process: its id (undefined: changes may have been missed). */
  onChange(listener: (id: string | undefined) => void): () => void {
    return this.forTasks.onDrop(listener);
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
  async forTask(id: string, em?: EntityManager): Promise<AgentEntity> {
    // In a transaction (one that holds a lock, as a run's), a miss is read in it: a second connection could
    // wait for a pool that those waiting for the lock hold.
    const agent = await this.forTasks.get(id, em && ((key) => this.store.findLive(key, em)));
    if (!agent) throw new AgentNotFoundError();
    return agent;
  }

  /** The config in a response or an audit entry: secrets masked. */
  masked(agent: Pick<AgentEntity, 'type'>, sealed: Record<string, unknown>): Record<string, unknown> {
    return this.secrets.mask(sealed, this.types.get(agent.type).configSchema);
  }

  /** Everyone with `agents:read` sees and uses an agent; only its creator or an admin changes it. */
  private assertMayChange(principal: Principal, agent: AgentEntity): void {
    if (!mayChange(principal, agent.createdBy)) throw new AgentChangeForbiddenError();
  }

  /** `refused`: the config's target, if {@link refusedTarget} refused it, reported with the type's own checks. */
  private validateConfig(type: string, config: unknown, refused: ErrorDetail[] = []): Record<string, unknown> {
    const result = this.validator.validate<Record<string, unknown>>(
      this.types.get(type).configSchema,
      config,
      '/config',
    );
    if (!result.valid) {
      // Every problem at once: the type's own checks and the target's too, where the schema named none.
      const named = new Set(result.errors.map((e) => e.field));
      const more = [...this.typeProblems(type, config), ...refused]
        .map((p) => ({ ...p, field: `/config${p.field}` }))
        .filter((p) => !named.has(p.field));
      throw new ValidationFailedError([...result.errors, ...more], 'The configuration does not match the agent type');
    }
    const problems = [...(this.types.get(type).checkConfig?.(result.value) ?? []), ...refused];
    if (problems.length) {
      throw new ValidationFailedError(
        problems.map((p) => ({ ...p, field: `/config${p.field}` })),
        'The configuration does not match the agent type',
      );
    }
    return result.value;
  }

  /**
   * The type's own checks of a config its schema refused, as far as they can read it: a check that cannot (a
   * field of another kind than it takes) adds nothing, the schema's errors say what is wrong there.
   */
  private typeProblems(type: string, config: unknown): ErrorDetail[] {
    const check = this.types.get(type).checkConfig?.bind(this.types.get(type));
    if (!check || typeof config !== 'object' || config === null || Array.isArray(config)) return [];
    try {
      return check(config);
    } catch {
      return [];
    }
  }

  /**
   * The config's outbound target (`outboundTarget` of its type) when the network guard refuses it: asked
   * before a change takes the agent's lock, as it may wait on DNS. Every send checks its connection again.
   */
  private async refusedTarget(type: string, config: unknown): Promise<ErrorDetail[]> {
    const field = this.types.get(type).outboundTarget;
    if (!field || typeof config !== 'object' || config === null) return [];
    const url = (config as Record<string, unknown>)[field.slice(1)];
    const refusal = typeof url === 'string' ? await this.guard.refusalOf(url) : undefined;
    return refusal ? [{ field, message: refusal }] : [];
  }

  async create(principal: Principal, input: CreateAgentDto, audit?: AuditRequestContext): Promise<AgentEntity> {
    const type = this.types.get(input.type);
    const refused = await this.refusedTarget(input.type, input.config);
    const plain = this.secrets.keepMasked(input.config ?? {}, {}, type.configSchema);
    const config = this.secrets.seal(this.validateConfig(input.type, plain, refused), type.configSchema);
    return this.store.create(
      {
        name: input.name,
        type: input.type,
        description: input.description ?? null,
        config,
        concurrency: input.concurrency ?? 1,
        concurrencyPerKey: input.concurrencyPerKey ?? null,
        timeoutMs: input.timeoutMs ?? 60_000,
        createdBy: principal.userId,
      },
      (agent) => ({
        action: 'agent.create',
        outcome: 'success',
        resourceType: 'agent',
        resourceId: agent.id,
        details: { name: agent.name, type: agent.type, config: this.masked(agent, config) },
      }),
      audit,
    );
  }

  async list(query: AgentQueryDto): Promise<Page<AgentEntity>> {
    // A type that does not exist is a mistake to name (400 `/type`), as an unknown status is, not an empty page.
    if (query.type !== undefined) this.types.get(query.type);
    const { items, total } = await this.store.list(query);
    return new Page(items, total, query.skip, query.limit);
  }

  async get(id: string): Promise<AgentEntity> {
    const agent = await this.store.findLive(id);
    if (!agent) throw new AgentNotFoundError();
    return agent;
  }

  exists(id: string): Promise<boolean> {
    return this.store.exists(id);
  }

  /** Throws `NOT_FOUND` unless the agent exists (not deleted): for callers that need no more of it. */
  async assertExists(id: string): Promise<void> {
    if (!(await this.store.exists(id))) throw new AgentNotFoundError();
  }

  /**
   * Which of `ids` are live agents (one read, however many: a workflow's steps, its triggers); in the caller's
   * transaction when it holds one (`em`).
   */
  liveIds(ids: Iterable<string>, em?: EntityManager): Promise<Set<string>> {
    return this.store.liveIds([...new Set(ids)], em);
  }

  isDeleted(id: string, em?: EntityManager): Promise<boolean> {
    return this.store.isDeleted(id, em);
  }

  /** Changes the agent's settings; a change of status is audited as a pause or a resume. */
  async update(
    principal: Principal,
    id: string,
    changes: UpdateAgentDto,
    audit?: AuditRequestContext,
  ): Promise<AgentEntity> {
    return this.changed(
      id,
      this.store.change(
        id,
        (agent) => {
          this.assertMayChange(principal, agent);
          const before = {
            name: agent.name,
            status: agent.status,
            concurrency: agent.concurrency,
            concurrencyPerKey: agent.concurrencyPerKey,
            timeoutMs: agent.timeoutMs,
          };
          Object.assign(agent, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
          const action =
            changes.status && changes.status !== before.status
              ? `agent.${changes.status === 'paused' ? 'pause' : 'resume'}`
              : 'agent.update';
          return {
            event: {
              action,
              outcome: 'success',
              resourceType: 'agent',
              resourceId: id,
              details: { before, changes: { ...changes } },
            },
          };
        },
        audit,
      ),
    );
  }

  /** Soft delete: the agent and its history stay; it no longer lists, answers or takes tasks. */
  async remove(principal: Principal, id: string, audit?: AuditRequestContext): Promise<void> {
    await this.changed(
      id,
      this.store.softDelete(
        id,
        (agent) => {
          this.assertMayChange(principal, agent);
          return {
            action: 'agent.delete',
            outcome: 'success',
            resourceType: 'agent',
            resourceId: id,
            details: { name: agent.name },
          };
        },
        audit,
      ),
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
    // An agent's type never changes: its target is checked before the lock is taken, and only for a caller
    // who may change the agent (checked again under the lock), so a refused change looks up no host.
    const current = await this.get(id);
    this.assertMayChange(principal, current);
    const refused = await this.refusedTarget(current.type, config);
    return this.changed(
      id,
      this.store.change(
        id,
        (agent) => {
          this.assertMayChange(principal, agent);
          const schema = this.types.get(agent.type).configSchema;
          const merged = this.secrets.keepMasked(config, agent.config, schema);
          const sealed = this.secrets.seal(this.validateConfig(agent.type, merged, refused), schema);
          return this.newVersion(principal, agent, sealed, 'update');
        },
        audit,
      ),
    );
  }

  /**
   * A new version equal to an earlier one, secrets included: each stays bound to the target it was given
   * for, so an older target never receives a newer secret.
   */
  async rollback(principal: Principal, id: string, version: number, audit?: AuditRequestContext): Promise<AgentEntity> {
    return this.changed(
      id,
      this.store.change(
        id,
        async (agent, earlier) => {
          this.assertMayChange(principal, agent);
          const config = await earlier(version);
          if (!config) throw new ConfigVersionNotFoundError(version);
          return this.newVersion(principal, agent, config, 'rollback', version);
        },
        audit,
      ),
    );
  }

  async versions(id: string, skip: number, limit: number): Promise<Page<AgentConfigVersionEntity>> {
    await this.get(id);
    const { items, total } = await this.store.versions(id, skip, limit);
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

  /** Makes `sealed` the agent's config as its next version, kept in its history. */
  private newVersion(
    principal: Principal,
    agent: AgentEntity,
    sealed: Record<string, unknown>,
    source: 'update' | 'rollback',
    rolledBackFrom?: number,
  ): AgentChange {
    agent.config = sealed;
    agent.configVersion += 1;
    return {
      event: {
        action: source === 'rollback' ? 'agent.config_rollback' : 'agent.config_update',
        outcome: 'success',
        resourceType: 'agent',
        resourceId: agent.id,
        details: { version: agent.configVersion, rolledBackFrom, config: this.masked(agent, sealed) },
      },
      version: { source, rolledBackFrom, createdBy: principal.userId },
    };
  }
}
