import { AgentNameTakenError, AgentNotFoundError } from '../../src/agents/agents.errors';
import type { AgentConfigVersionEntity } from '../../src/agents/entities/agent-config-version.entity';
import type { AgentEntity } from '../../src/agents/entities/agent.entity';
import type {
  AgentChange,
  AgentListFilter,
  EarlierConfig,
  NewAgent,
} from '../../src/agents/persistence/agent.repository';
import type { AgentStore, SavedAgentStates } from '../../src/agents/ports';
import type { AuditRequestContext } from '../../src/audit/audit-context';
import type { AuditEvent } from '../../src/audit/audit.service';

type ConfigVersion = Omit<AgentConfigVersionEntity, 'agent'>;

/**
 * The agents' tables in memory, with the repository's rules: a name is taken once among live agents, a
 * change applies to a live agent only and all or nothing, and every change comes with its audit entry (and
 * its config version, when it made one).
 */
export class FakeAgentStore implements AgentStore {
  readonly agents = new Map<string, AgentEntity>();
  readonly configVersions: ConfigVersion[] = [];
  readonly audit: { event: AuditEvent; context?: AuditRequestContext }[] = [];
  private created = 0;

  async findLive(id: string): Promise<AgentEntity | null> {
    const agent = this.agents.get(id);
    return agent && !agent.deletedAt ? structuredClone(agent) : null;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.findLive(id)) !== null;
  }

  async liveIds(ids: string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.agents.has(id) && !this.agents.get(id)!.deletedAt));
  }

  async isDeleted(id: string): Promise<boolean> {
    return !!this.agents.get(id)?.deletedAt;
  }

  async list(filter: AgentListFilter): Promise<{ items: AgentEntity[]; total: number }> {
    const q = filter.q?.toLowerCase();
    const matches = [...this.agents.values()]
      .filter((a) => !a.deletedAt)
      .filter((a) => !filter.type || a.type === filter.type)
      .filter((a) => !filter.status || a.status === filter.status)
      .filter((a) => !q || a.name.toLowerCase().includes(q) || !!a.description?.toLowerCase().includes(q))
      .reverse();
    return { items: matches.slice(filter.skip, filter.skip + filter.limit), total: matches.length };
  }

  async versions(
    agentId: string,
    skip: number,
    limit: number,
  ): Promise<{ items: AgentConfigVersionEntity[]; total: number }> {
    const own = this.configVersions.filter((v) => v.agentId === agentId).sort((a, b) => b.version - a.version);
    return { items: structuredClone(own.slice(skip, skip + limit)), total: own.length };
  }

  async create(
    fields: NewAgent,
    eventOf: (agent: AgentEntity) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<AgentEntity> {
    this.created += 1;
    const now = new Date();
    const agent: AgentEntity = {
      ...structuredClone(fields),
      id: `agent-${this.created}`,
      status: 'active',
      configVersion: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    this.refuseTakenName(agent);
    this.agents.set(agent.id, agent);
    this.addVersion(agent, { source: 'create', createdBy: fields.createdBy });
    this.audit.push({ event: eventOf(structuredClone(agent)), context });
    return structuredClone(agent);
  }

  async change(
    id: string,
    apply: (agent: AgentEntity, earlier: EarlierConfig) => AgentChange | Promise<AgentChange>,
    context?: AuditRequestContext,
  ): Promise<AgentEntity> {
    const agent = await this.findLive(id);
    if (!agent) throw new AgentNotFoundError();
    const { event, version } = await apply(agent, async (n) => {
      const found = this.configVersions.find((v) => v.agentId === id && v.version === n);
      return found && structuredClone(found.config);
    });
    this.refuseTakenName(agent);
    agent.updatedAt = new Date();
    this.agents.set(id, agent);
    if (version) this.addVersion(agent, version);
    this.audit.push({ event, context });
    return structuredClone(agent);
  }

  async softDelete(
    id: string,
    eventOf: (agent: AgentEntity) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<void> {
    const agent = this.agents.get(id);
    if (!agent || agent.deletedAt) throw new AgentNotFoundError();
    const event = eventOf(structuredClone(agent));
    agent.deletedAt = new Date();
    this.audit.push({ event, context });
  }

  private refuseTakenName(agent: AgentEntity): void {
    const taken = [...this.agents.values()].some((a) => a.id !== agent.id && !a.deletedAt && a.name === agent.name);
    if (taken) throw new AgentNameTakenError();
  }

  private addVersion(agent: AgentEntity, record: NonNullable<AgentChange['version']>): void {
    this.configVersions.push({
      id: `${agent.id}-v${agent.configVersion}`,
      agentId: agent.id,
      version: agent.configVersion,
      config: structuredClone(agent.config),
      source: record.source,
      rolledBackFrom: record.rolledBackFrom ?? null,
      createdBy: record.createdBy,
      createdAt: new Date(),
    });
  }
}

/** The agents' state documents as last saved. */
export class FakeSavedStates implements SavedAgentStates {
  readonly documents = new Map<string, { state: unknown; savedAt: Date }>();

  async saved(agentId: string): Promise<{ state: unknown; savedAt: Date } | undefined> {
    return this.documents.get(agentId);
  }
}
