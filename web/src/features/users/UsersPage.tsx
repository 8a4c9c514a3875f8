import { Stack } from '@mantine/core';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';

export function UsersPage() {
  const me = useMe();
  return (
    <Stack>
      <PageTitle>Users</PageTitle>
      {me.role === 'admin' ? (
        <EmptyState title="User management is on its way">
          Accounts, roles and deactivation will be managed here. Meanwhile: GET /api/v1/users.
        </EmptyState>
      ) : (
        <ErrorState title="Admins only" error={null} fallbackMessage="Managing users needs the admin role." />
      )}
    </Stack>
  );
}
