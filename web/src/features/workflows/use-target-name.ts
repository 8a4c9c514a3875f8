import { useQuery } from '@tanstack/react-query';
import { allAgentsQuery, workflowListQuery } from './workflow-api';

/** What a schedule or a hook starts: an agent's task or a workflow's run. */
export interface StartTarget {
  agentId?: string | null;
  workflowId?: string | null;
}

/**
 * Names what a schedule or a hook starts, "agent <name>" or "workflow <name>", with the page it links to; the first
 * characters of the id while the names load (or for one deleted since).
 */
export function useTargetName(): (target: StartTarget) => { label: string; to: string } {
  const agents = useQuery(allAgentsQuery());
  const workflows = useQuery(workflowListQuery({ skip: 0, limit: 1000 }));
  return ({ agentId, workflowId }) => {
    if (workflowId) {
      const name = workflows.data?.items.find((w) => w.id === workflowId)?.name;
      return { label: `workflow ${name ?? workflowId.slice(0, 8)}`, to: `/workflows/${workflowId}` };
    }
    const name = agents.data?.items.find((a) => a.id === agentId)?.name;
    return { label: `agent ${name ?? (agentId ?? '').slice(0, 8)}`, to: `/agents/${agentId ?? ''}` };
  };
}
