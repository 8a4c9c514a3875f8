import { Skeleton, Stack, Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';
import { TimeAgo } from '../../components/TimeAgo';

export function AgentsPage() {
  const agents = useQuery({
    queryKey: queryKeys.agents.list({ limit: 50 }),
    queryFn: async () => unwrap(await api.GET('/api/v1/agents', { params: { query: { limit: 50 } } })),
  });

  return (
    <Stack>
      <PageTitle>Agents</PageTitle>
      {agents.isPending ? (
        <Stack aria-busy="true" aria-label="Loading agents">
          <Skeleton height={32} />
          <Skeleton height={32} />
          <Skeleton height={32} />
        </Stack>
      ) : agents.isError ? (
        <ErrorState title="Could not load agents" error={agents.error} onRetry={() => void agents.refetch()} />
      ) : agents.data.length === 0 ? (
        <EmptyState title="No agents yet">
          Create one with POST /api/v1/agents (an agent type and its config); it will be listed here.
        </EmptyState>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Type</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {agents.data.map((agent) => (
              <Table.Tr key={agent.id}>
                <Table.Td>{agent.name}</Table.Td>
                <Table.Td>{agent.type}</Table.Td>
                <Table.Td>
                  <TimeAgo value={agent.createdAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
