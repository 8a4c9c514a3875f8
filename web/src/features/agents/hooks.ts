import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { creatorOnlyReason } from '../../app/creator-only';
import { useMe } from '../../app/session';

export function useAgentTypes() {
  return useQuery({
    queryKey: queryKeys.agentTypes.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/agent-types')),
    staleTime: 5 * 60_000,
  });
}

/** Why the signed-in user may not change agents, or null when they may. */
export function useAgentsWriteBlocked(): string | null {
  const me = useMe();
  return me.permissions.includes('agents:write') ? null : 'Your role may not change agents (needs agents:write)';
}

/** Why the signed-in user may not change or delete `agent` (their role, or someone else's agent), or null. */
export function useAgentChangeBlocked(agent: { createdBy: string | null }): string | null {
  const me = useMe();
  return useAgentsWriteBlocked() ?? creatorOnlyReason(me, agent, 'agent');
}
