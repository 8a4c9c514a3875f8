import { Anchor, Stack } from '@mantine/core';
import { EmptyState } from '../../components/EmptyState';
import { PageTitle } from '../../components/PageTitle';

export function QueuesPage() {
  return (
    <Stack>
      <PageTitle>Queues</PageTitle>
      <EmptyState title="Queue counts are on their way">
        Jobs per state for each queue will show here. Admins can open the BullMQ board meanwhile:{' '}
        <Anchor href="/admin/queues" underline="always">
          /admin/queues
        </Anchor>
        .
      </EmptyState>
    </Stack>
  );
}
