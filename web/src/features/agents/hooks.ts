import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
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
