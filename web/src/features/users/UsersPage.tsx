import { Button, Group, NativeSelect, Stack, Table } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { queryKeys } from '../../api/query-keys';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { Pager } from '../../components/Pager';
import { ListBody, ListSkeleton } from '../../components/ListBody';
import { NeedsPermission } from '../../components/NeedsPermission';
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
  return (
    <NeedsPermission
      permission="users:manage"
      page="Users"
      title="Admins only"
      why="Managing users needs the users:manage permission, which only admins hold. Ask an admin to change your role or someone else’s account."
    >
      <UserList meId={me.id} />
    </NeedsPermission>
  );
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
  const createButton = useRef<HTMLButtonElement>(null);
  /** What opened a dialog (New user, a row's Reset password): focus goes back to it when it closes, else to New user. */
  const opener = useRef<HTMLElement | null>(null);
  const openFrom = () => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  };
  const refocus = () =>
    setTimeout(() => (opener.current?.isConnected ? opener.current : createButton.current)?.focus());
  const startCreating = () => {
    openFrom();
    setCreating(true);
  };

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

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Users</PageTitle>
        <Button ref={createButton} onClick={startCreating}>
          New user
        </Button>
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

      <ListBody
        query={users}
        loading={<ListSkeleton label="Loading users" rows={5} height={40} gap="0.5rem" />}
        errorTitle="Could not load the users"
        count={(data) => data.items.length}
        pastTheEnd={{
          page: filters.page,
          total,
          noun: filters.role || filters.q ? 'users matching these filters' : 'users',
          onFirst: () => update({ page: 1 }),
        }}
        empty={
          filters.role || filters.q ? (
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
                <Button variant="default" onClick={startCreating}>
                  Create a user
                </Button>
              }
            >
              Create an account with a role; people can also register themselves as viewers.
            </EmptyState>
          )
        }
      >
        {(data) => (
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
                  {data.items.map((user) => (
                    <UserRow
                      key={user.id}
                      user={user}
                      meId={meId}
                      onChanged={changed}
                      onResetPassword={(u) => {
                        openFrom();
                        setResetting(u);
                      }}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager
              page={filters.page}
              skip={(filters.page - 1) * USERS_PAGE_SIZE}
              size={USERS_PAGE_SIZE}
              total={total}
              noun={['user', 'users']}
              onPage={(page) => update({ page })}
            />
          </>
        )}
      </ListBody>

      <NewUserDialog
        opened={creating}
        onClose={() => {
          setCreating(false);
          refocus();
        }}
        onCreated={async (user) => {
          setCreating(false);
          refocus();
          await changed(resultInWords.created(user), 'ok');
        }}
      />
      <ResetPasswordDialog
        user={resetting}
        isSelf={resetting?.id === meId}
        onClose={() => {
          setResetting(null);
          refocus();
        }}
        onDone={async (user) => {
          setResetting(null);
          refocus();
          await changed(resultInWords.passwordSet(user), 'ok');
        }}
      />
    </Stack>
  );
}
