import type { SharedCaches } from '../redis/shared-cache';
import type { AgentStateStore } from './agent-state.store';
import type { NetworkGuard } from './outbound/network-guard';
import type { AgentRepository } from './persistence/agent.repository';

/**
 * What AgentsService needs of its collaborators, as interfaces: Nest injects the real classes, unit specs
 * pass small fakes (test/fakes/agents.ts) that implement these.
 */
export type AgentStore = Pick<
  AgentRepository,
  'findLive' | 'exists' | 'liveIds' | 'isDeleted' | 'list' | 'versions' | 'create' | 'change' | 'softDelete'
>;
export type SavedAgentStates = Pick<AgentStateStore, 'saved'>;
export type CacheFactory = Pick<SharedCaches, 'create'>;
export type TargetGuard = Pick<NetworkGuard, 'refusalOf'>;
