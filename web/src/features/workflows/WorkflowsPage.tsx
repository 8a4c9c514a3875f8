import { Stack } from '@mantine/core';
import { EmptyState } from '../../components/EmptyState';
import { PageTitle } from '../../components/PageTitle';

export function WorkflowsPage() {
  return (
    <Stack>
      <PageTitle>Workflows</PageTitle>
      <EmptyState title="This list is on its way">
        Workflows and their runs, step by step, will show here. Meanwhile: GET /api/v1/workflows.
      </EmptyState>
    </Stack>
  );
}
