import { Stack } from '@mantine/core';
import { EmptyState } from '../../components/EmptyState';
import { PageTitle } from '../../components/PageTitle';

export function AuditPage() {
  return (
    <Stack>
      <PageTitle>Audit</PageTitle>
      <EmptyState title="The audit trail view is on its way">
        Who did what, when and with what outcome will be listed here. Meanwhile: GET /api/v1/audit-logs.
      </EmptyState>
    </Stack>
  );
}
