import { Stack } from '@mantine/core';
import { EmptyState } from '../../components/EmptyState';
import { PageTitle } from '../../components/PageTitle';

export function TasksPage() {
  return (
    <Stack>
      <PageTitle>Tasks</PageTitle>
      <EmptyState title="This list is on its way">
        Tasks, their attempts, input and output will be listed here, filterable by state and agent. Meanwhile: GET
        /api/v1/tasks.
      </EmptyState>
    </Stack>
  );
}
