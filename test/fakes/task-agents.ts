import { AgentNotFoundError } from '../../src/agents/agents.errors';
import type { Agent, AgentLookup } from '../../src/tasks/ports';

/** An agent as the task services see it, with everything a test does not name filled in. */
export function fakeAgent(fields: Partial<Agent> = {}): Agent {
  const now = new Date();
  return {
    id: 'agent-1',
    name: 'agent one',
    type: 'echo',
    description: null,
    status: 'active',
    config: {},
    configVersion: 1,
    concurrency: 2,
    timeoutMs: 5000,
    createdBy: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    ...fields,
  } as Agent;
}

/** Agents by id; a deleted one is neither found nor forgotten. */
export class FakeAgents implements AgentLookup {
  readonly agents = new Map<string, Agent>();
  readonly deleted = new Set<string>();
  reads = 0;

  constructor(...agents: Agent[]) {
    for (const agent of agents) this.agents.set(agent.id, agent);
  }

  async forTask(id: string): Promise<Agent> {
    this.reads += 1;
    const agent = this.agents.get(id);
    if (!agent || this.deleted.has(id)) throw new AgentNotFoundError();
    return agent;
  }

  async isDeleted(id: string): Promise<boolean> {
    return this.deleted.has(id);
  }

  runtimeOf(agent: Agent): { agent: Agent; config: Record<string, unknown> } {
    return { agent, config: agent.config };
  }
}
