import { Code, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { queryKeys } from '../../api/query-keys';
import { noneYet, ownOnlyNote } from '../../app/own-lists';
import { useMe } from '../../app/session';
import { CopyValueButton } from '../../components/CopyValueButton';
import { EmptyState } from '../../components/EmptyState';
import { ListBody, ListSkeleton, RefreshFailed } from '../../components/ListBody';
import { Pager } from '../../components/Pager';
import { pageOfSearch, pageQuery, withPage } from '../../components/paging';
import { RowActions } from '../../components/RowActions';
import { deletedTargetNote, StartTargetLink } from '../workflows/StartTargetLink';
import { useTargetName } from '../workflows/use-target-name';
import { deleteHook, hookListQuery, updateHook, useHooksWriteBlocked } from './hook-api';
import { HOOKS_PAGE_SIZE, type Hook, hookAddress } from './hook-helpers';

function HookActions({
  hook,
  onEdit,
  onChanged,
}: {
  hook: Hook;
  onEdit: (hook: Hook) => void;
  onChanged: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.hooks.all });
  return (
    <RowActions
      name={hook.name}
      toggleLabel={hook.enabled ? 'Disable' : 'Enable'}
      onToggle={async () => {
        await updateHook(hook.id, { enabled: !hook.enabled });
        await refresh();
        onChanged(
          hook.enabled
            ? `Disabled “${hook.name}”: its calls are refused (409) until it is enabled.`
            : `Enabled “${hook.name}”: it starts work again.`,
        );
      }}
      onEdit={() => onEdit(hook)}
      confirmDelete="Delete the hook"
      consequence={`“${hook.name}” is deleted: calls to its address are refused from now on; what it started stays.`}
      onDelete={async () => {
        await deleteHook(hook.id);
        await refresh();
        onChanged(`Deleted “${hook.name}”; what it started stays.`);
      }}
    />
  );
}

/** The user's inbound hooks (an admin's: everyone's), newest first, paged in the URL (`?page=`). */
export function HookList({
  emptyAction,
  onEdit,
  onChanged,
}: {
  emptyAction: ReactNode;
  onEdit: (hook: Hook) => void;
  onChanged: (message: string) => void;
}) {
  const me = useMe();
  const blocked = useHooksWriteBlocked();
  const [search, setSearch] = useSearchParams();
  const page = pageOfSearch(search);
  const query = pageQuery(page, HOOKS_PAGE_SIZE);
  const hooks = useQuery(hookListQuery(query));
  const targetName = useTargetName();
  const goTo = (next: number) => setSearch(withPage(search, next));

  const total = hooks.data?.total ?? 0;
  return (
    <ListBody
      query={hooks}
      loading={<ListSkeleton label="Loading inbound hooks" rows={3} height={44} />}
      errorTitle="Could not load the inbound hooks"
      keepLastLoaded
      count={(data) => data.items.length}
      pastTheEnd={{ page, total, noun: 'hooks', onFirst: () => goTo(1) }}
      empty={
        <EmptyState title={noneYet('inbound hooks', me)} action={emptyAction}>
          {blocked
            ? 'Operators and admins add hooks here (or with POST /api/v1/hooks); each is an address outside systems call.'
            : 'Add one with “New hook”: choose the agent or workflow each call starts, and how callers prove themselves. You can also use POST /api/v1/hooks.'}{' '}
          {ownOnlyNote('inbound hooks', me)}
        </EmptyState>
      }
    >
      {({ items }) => (
        <Stack gap="sm">
          <RefreshFailed query={hooks} what="hooks" />
          {/* On a narrow screen the table scrolls sideways: which hook and whether it is enabled come first, so they
              stay in view without scrolling, as on the Schedules list. */}
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover aria-label="Inbound hooks">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Starts</Table.Th>
                  <Table.Th scope="col">Callers</Table.Th>
                  <Table.Th scope="col">Address</Table.Th>
                  {!blocked && <Table.Th scope="col">Actions</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((hook) => {
                  const target = targetName(hook.target);
                  const address = hookAddress(hook, window.location.origin);
                  return (
                    <Table.Tr key={hook.id}>
                      <Table.Th scope="row" fw={500}>
                        {hook.name}
                      </Table.Th>
                      <Table.Td>
                        <span className="state-pill" data-status={hook.enabled ? 'enabled' : 'disabled'}>
                          {hook.enabled ? 'enabled' : 'disabled'}
                        </span>
                        {hook.targetDeleted && (
                          <Text size="xs" c="red.9">
                            {deletedTargetNote(hook.target, 'every call is refused (409)')}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <StartTargetLink target={target} deleted={hook.targetDeleted} />
                        {hook.inputTemplate !== null && (
                          <Text size="xs" c="dimmed">
                            input from a template
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{hook.auth === 'hmac' ? 'signed (Standard Webhooks)' : 'bearer token'}</Text>
                        <Text size="xs" c="dimmed">
                          at most {hook.rateLimitPerMinute} a minute
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap" align="center">
                          <Code className="hook-address">{hook.url}</Code>
                          <CopyValueButton
                            value={address}
                            label="Copy"
                            aria-label={`Copy the address of ${hook.name}`}
                            size="compact-xs"
                          />
                        </Group>
                      </Table.Td>
                      {!blocked && (
                        <Table.Td>
                          <HookActions hook={hook} onEdit={onEdit} onChanged={onChanged} />
                        </Table.Td>
                      )}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} skip={query.skip} size={HOOKS_PAGE_SIZE} total={total} onPage={goTo} />
        </Stack>
      )}
    </ListBody>
  );
}
