import { Inject, Injectable } from '@nestjs/common';
import type { AgentType } from './agent-type';
import { UnknownAgentTypeError } from './agents.errors';

export const AGENT_TYPES = Symbol('AGENT_TYPES');

/** The agent types known to this build, by name. */
@Injectable()
export class AgentTypeRegistry {
  private readonly byName: Map<string, AgentType>;

  constructor(@Inject(AGENT_TYPES) types: AgentType[]) {
    this.byName = new Map(types.map((t) => [t.type, t]));
    if (this.byName.size !== types.length) throw new Error('Two agent types share a name');
  }

  all(): AgentType[] {
    return [...this.byName.values()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): AgentType {
    const type = this.byName.get(name);
    if (!type) throw new UnknownAgentTypeError(name, [...this.byName.keys()]);
    return type;
  }
}
