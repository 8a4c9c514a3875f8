import { Anchor, Button, Group, Skeleton, Stack, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { noneYet, ownOnlyNote } from '../../app/own-lists';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ListBody } from '../../components/ListBody';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { LiveTasks } from '../tasks/LiveTasks';
import { taskListQuery } from '../tasks/task-api';

/** The agent's ten latest tasks (of those the user may see), kept up to date live. */
export function RecentTasks({ agentId }: { agentId: string }) {
  const me = useMe();
  // The task list's own query, so that live events patch it and a new task makes it read again.
  const tasks = useQuery(taskListQuery({ agentId, skip: 0, limit: 10 }));
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={2} size="h3">
          Recent tasks
        </Title>
        {me.permissions.includes('tasks:write') && (
          <Button component={Link} to={`/tasks/new?agent=${agentId}`} variant="default" size="xs">
            New task
          </Button>
        )}
      </Group>
      <LiveTasks subscription={{ agentId }} subject="The recent tasks" />
      <ListBody
        query={tasks}
        loading={<Skeleton role="progressbar" height={64} aria-busy="true" aria-label="Loading recent tasks" />}
        errorTitle="Could not load tasks"
        count={(data) => data.tasks.length}
        empty={
          <EmptyState title={noneYet('tasks', me)} order={3}>
            Tasks sent to this agent are listed here. {ownOnlyNote('tasks', me)}
          </EmptyState>
        }
      >
        {(data) => (
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
              {data.tasks.map((task) => (
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
                    {task.attempts - task.attemptOffset} / {task.maxAttempts}
                  </Table.Td>
                  <Table.Td>
                    <TimeAgo value={task.createdAt} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </ListBody>
    </Stack>
  );
}
