import { Anchor, Skeleton, Stack, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';

/** The agent's ten latest tasks. */
export function RecentTasks({ agentId }: { agentId: string }) {
  const params = { agentId, limit: 10 };
  const tasks = useQuery({
    queryKey: queryKeys.tasks.list(params),
    queryFn: async () => unwrap(await api.GET('/api/v1/tasks', { params: { query: params } })),
  });
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        Recent tasks
      </Title>
      {tasks.isPending ? (
        <Skeleton height={64} aria-busy="true" aria-label="Loading recent tasks" />
      ) : tasks.isError ? (
        <ErrorState title="Could not load tasks" error={tasks.error} onRetry={() => void tasks.refetch()} />
      ) : tasks.data.length === 0 ? (
        <EmptyState title="No tasks yet">Tasks sent to this agent (POST /api/v1/tasks) are listed here.</EmptyState>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Task</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Attempts</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tasks.data.map((task) => (
              <Table.Tr key={task.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/tasks/${task.id}`}>
                    {task.id.slice(0, 8)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={task.status} />
                </Table.Td>
                <Table.Td>
                  {task.attempts} / {task.maxAttempts}
                </Table.Td>
                <Table.Td>
                  <TimeAgo value={task.createdAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
