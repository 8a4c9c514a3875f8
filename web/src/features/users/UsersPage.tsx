import { Alert, Button, Group, NativeSelect, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { queryKeys } from '../../api/query-keys';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { PastTheEnd } from '../../components/Pager';
import { isPastTheEnd } from '../../components/paging';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';
import { SearchBox } from '../../components/SearchBox';
import { NewUserDialog } from './NewUserDialog';
import { ResetPasswordDialog } from './ResetPasswordDialog';
import { type User, usersQuery } from './user-api';
import {
  ROLES,
  USERS_PAGE_SIZE,
  type UserFilters,
  isRole,
  paramsFromUserFilters,
  resultInWords,
  userFiltersFromParams,
  usersApiQuery,
} from './user-helpers';
import { UserRow } from './UserRow';
import './users.css';

/** `/users` (admins): accounts, their roles, and who may sign in. */
export function UsersPage() {
  const me = useMe();
  if (!me.permissions.includes('users:manage')) {
    return (
      <Stack>
        <PageTitle>Users</PageTitle>
        <Alert color="yellow" variant="light" title="Admins only">
          Managing users needs the users:manage permission, which only admins hold. Ask an admin to change your role or
          someone else’s account.
        </Alert>
      </Stack>
    );
  }
  return <UserList meId={me.id} />;
}

type Result = { text: string; tone: 'ok' | 'error' } | null;

function UserList({ meId }: { meId: string }) {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => userFiltersFromParams(params), [params]);
  const users = useQuery(usersQuery(usersApiQuery(filters)));
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [result, setResult] = useState<Result>(null);

  const update = (changes: Partial<UserFilters>) => {
    const next = { ...filters, ...changes };
    if (!('page' in changes)) next.page = 1;
    setParams(paramsFromUserFilters(next));
  };
  /** After a change: say the result, and refetch every user list and the audit log (it has a new entry). */
  const changed = async (text: string, tone: 'ok' | 'error') => {
    setResult({ text, tone });
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.users.all }),
      queryClient.invalidateQueries({ queryKey: queryKeys.audit.all }),
    ]);
  };

  const total = users.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE));
  const first = total === 0 ? 0 : (filters.page - 1) * USERS_PAGE_SIZE + 1;
  const last = Math.min(total, filters.page * USERS_PAGE_SIZE);

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Users</PageTitle>
        <Button onClick={() => setCreating(true)}>New user</Button>
      </Group>

      <div className="users-result" role="status" data-tone={result?.tone}>
        {result?.text}
      </div>

      <form className="users-filters" role="search" aria-label="Filter users" onSubmit={(e) => e.preventDefault()}>
        <SearchBox searches="Email or name" />
        <NativeSelect
          label="Role filter"
          value={filters.role ?? ''}
          onChange={(e) => {
            const role = e.currentTarget.value;
            update({ role: isRole(role) ? role : undefined });
          }}
          data={[{ value: '', label: 'Any role' }, ...ROLES.map((r) => ({ value: r, label: r }))]}
        />
      </form>

      {users.isPending ? (
        <div role="progressbar" className="users-skeleton" aria-busy="true" aria-label="Loading users">
          {Array.from({ length: 5 }, (_, i) => (
            <Skeleton key={i} height={40} />
          ))}
        </div>
      ) : users.isError ? (
        <ErrorState title="Could not load the users" error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.items.length === 0 ? (
        isPastTheEnd(filters.page, 0, total) ? (
          <PastTheEnd
            total={total}
            noun={filters.role || filters.q ? 'users matching these filters' : 'users'}
            onFirst={() => update({ page: 1 })}
          />
        ) : filters.role || filters.q ? (
          <EmptyState
            title={
              filters.q
                ? `No users match “${filters.q}”${filters.role ? ` with the ${filters.role} role` : ''}`
                : `No users with the ${filters.role} role`
            }
            action={
              <Button variant="default" onClick={() => setParams(new URLSearchParams())}>
                Clear filters
              </Button>
            }
          >
            {filters.q
              ? 'The search looks in email addresses and names.'
              : 'Pick another role, or give someone this role from the full list.'}
          </EmptyState>
        ) : (
          <EmptyState
            title="No users yet"
            action={
              <Button variant="default" onClick={() => setCreating(true)}>
                Create a user
              </Button>
            }
          >
            Create an account with a role; people can also register themselves as viewers.
          </EmptyState>
        )
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table className="users-table" highlightOnHover aria-label="Users" aria-busy={users.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name and email</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Active</Table.Th>
                  <Table.Th scope="col">MFA</Table.Th>
                  <Table.Th scope="col">Last sign-in</Table.Th>
                  <Table.Th scope="col">Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.items.map((user) => (
                  <UserRow key={user.id} user={user} meId={meId} onChanged={changed} onResetPassword={setResetting} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between">
            <Text size="sm" aria-live="polite">
              {first.toLocaleString('en')}–{last.toLocaleString('en')} of {total.toLocaleString('en')}{' '}
              {total === 1 ? 'user' : 'users'}
            </Text>
            <Group gap="xs">
              <Button
                variant="default"
                size="xs"
                disabled={filters.page <= 1}
                onClick={() => update({ page: filters.page - 1 })}
              >
                Previous page
              </Button>
              <Button
                variant="default"
                size="xs"
                disabled={filters.page >= pages}
                onClick={() => update({ page: filters.page + 1 })}
              >
                Next page
              </Button>
            </Group>
          </Group>
        </>
      )}

      <NewUserDialog
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={async (user) => {
          setCreating(false);
          await changed(resultInWords.created(user), 'ok');
        }}
      />
      <ResetPasswordDialog
        user={resetting}
        isSelf={resetting?.id === meId}
        onClose={() => setResetting(null)}
        onDone={async (user) => {
          setResetting(null);
          await changed(resultInWords.passwordSet(user), 'ok');
        }}
      />
    </Stack>
  );
}
