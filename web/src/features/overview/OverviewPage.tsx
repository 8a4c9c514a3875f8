import { Stack, Text } from '@mantine/core';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { PageTitle } from '../../components/PageTitle';

export function OverviewPage() {
  const me = useMe();
  return (
    <Stack>
      <PageTitle>Overview</PageTitle>
      <Text>
        Signed in as {me.name} ({me.email}), role {me.role}.
      </Text>
      <EmptyState title="Health at a glance is on its way">
        Task counts per state, queue depth and failing agents will show here. Meanwhile, /health/ready and /metrics
        answer the same questions.
      </EmptyState>
    </Stack>
  );
}
