import { Skeleton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Suspense, lazy, useCallback } from 'react';
import type { GraphProps } from './WorkflowGraph';
import { allAgentsQuery } from './workflow-api';

/** The graph (xyflow and dagre) is its own chunk, loaded when a page draws one; the list does not. */
const LazyGraph = lazy(async () => ({ default: (await import('./WorkflowGraph')).WorkflowGraph }));

export function Graph(props: GraphProps) {
  return (
    // The graph's place while its code loads: a named image (a bare div may not carry a name), busy.
    <Suspense fallback={<Skeleton height={240} role="img" aria-busy="true" aria-label="Loading the graph" />}>
      <LazyGraph {...props} />
    </Suspense>
  );
}

/** An agent's name for its id (the short id while the agents load, or for one that is gone). */
export function useAgentName(): (agentId: string | undefined) => string {
  const agents = useQuery(allAgentsQuery());
  const items = agents.data?.items;
  return useCallback(
    (agentId: string | undefined) => {
      if (!agentId) return 'no agent';
      return items?.find((a) => a.id === agentId)?.name ?? `agent ${agentId.slice(0, 8)}`;
    },
    [items],
  );
}
