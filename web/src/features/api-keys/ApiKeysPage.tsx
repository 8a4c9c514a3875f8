import { Stack } from '@mantine/core';
import { EmptyState } from '../../components/EmptyState';
import { PageTitle } from '../../components/PageTitle';

export function ApiKeysPage() {
  return (
    <Stack>
      <PageTitle>API keys</PageTitle>
      <EmptyState title="Key management is on its way">
        Your API keys, their scopes and expiry will be listed here. Meanwhile: POST /api/v1/api-keys.
      </EmptyState>
    </Stack>
  );
}
