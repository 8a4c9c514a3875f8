import { Button, Checkbox, NativeSelect, Stack, Table, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { toApiError } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { fromLocalInput, toLocalInput } from '../../app/local-time';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { PageFooter } from '../../components/Pager';
import { ListBody, ListSkeleton } from '../../components/ListBody';
import { NeedsPermission } from '../../components/NeedsPermission';
import { PageTitle } from '../../components/PageTitle';
import { useSlashFocus } from '../../components/use-slash-focus';
import { usersQuery } from '../users/user-api';
import {
  type AuditFilters,
  KNOWN_ACTIONS,
  OUTCOMES,
  type Outcome,
  PAGE_SIZE,
  apiQuery,
  filtersFromParams,
  isFiltered,
  pageRange,
  paramsFromFilters,
  withChanges,
} from './audit-filters';
import { AuditEntryRow, type UserNames } from './AuditEntryRow';
import { TextFilter } from './TextFilter';
import { VerifyChain } from './VerifyChain';
import './audit.css';

/** `/audit`: who did what, when, with what outcome; and whether the record was tampered with. */
export function AuditPage() {
  const me = useMe();
  return (
    <NeedsPermission
      permission="audit:read"
      page="Audit"
      why="Reading the audit log needs the audit:read permission, which only admins hold. Ask an admin if you need to know who changed something."
    >
      <AuditLog canNameUsers={me.permissions.includes('users:manage')} />
    </NeedsPermission>
  );
}

const NO_USERS: UserNames = new Map();

function AuditLog({ canNameUsers }: { canNameUsers: boolean }) {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const query = apiQuery(filters);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const firstFilter = useRef<HTMLInputElement>(null);
  useSlashFocus(firstFilter);

  const update = (changes: Partial<AuditFilters>, replace = false) =>
    setParams(paramsFromFilters(withChanges(filters, changes)), { replace });
  const clear = () => setParams(new URLSearchParams());

  const logs = useQuery({
    queryKey: queryKeys.audit.list(query),
    queryFn: async () => {
      const result = await api.GET('/api/v1/audit-logs', { params: { query } });
      if (!result.data) throw toApiError(result.error, result.response);
      const { total, totalCapped, hasMore } = result.data.meta;
      return { items: result.data.data, total, totalCapped, hasMore };
    },
    placeholderData: keepPreviousData,
  });
  // Admins see people, not ids: one page of every user (a thousand at most), cached a minute.
  const users = useQuery({ ...usersQuery({ skip: 0, limit: 1000 }), enabled: canNameUsers, staleTime: 60_000 });
  const userNames: UserNames = useMemo(
    () => (users.data ? new Map(users.data.items.map((u) => [u.id, { name: u.name, email: u.email }])) : NO_USERS),
    [users.data],
  );

  const filtered = isFiltered(filters);
  const total = logs.data?.total ?? 0;
  // Past 10,000 entries the server counts no further: the total is then a lower bound.
  const exact = !(logs.data?.totalCapped ?? false);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <Stack>
      <PageTitle>Audit</PageTitle>
      <VerifyChain />

      <form
        className="audit-filters"
        role="search"
        aria-label="Filter audit entries"
        onSubmit={(e) => e.preventDefault()}
      >
        <TextFilter
          inputRef={firstFilter}
          className="audit-filter-wide"
          label="Action"
          placeholder="e.g. user.update"
          description="Exact match (press / to focus)"
          list="audit-known-actions"
          value={filters.action}
          onCommit={(action) => update({ action }, true)}
        />
        <datalist id="audit-known-actions">
          {KNOWN_ACTIONS.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
        <TextFilter
          label="Actor ID"
          description="A user or API key id"
          value={filters.actorId}
          onCommit={(actorId) => update({ actorId }, true)}
        />
        <TextFilter
          label="Resource type"
          description="e.g. user, agent, task"
          value={filters.resourceType}
          onCommit={(resourceType) => update({ resourceType }, true)}
        />
        <TextFilter
          label="Resource ID"
          description="The id of the thing changed"
          value={filters.resourceId}
          onCommit={(resourceId) => update({ resourceId }, true)}
        />
        <NativeSelect
          label="Outcome"
          description="Success, failure or denied"
          value={filters.outcome ?? ''}
          onChange={(e) => update({ outcome: (e.currentTarget.value || undefined) as Outcome | undefined })}
          data={[{ value: '', label: 'Any outcome' }, ...OUTCOMES.map((o) => ({ value: o, label: o }))]}
        />
        <TextInput
          className="audit-filter-time"
          type="datetime-local"
          label="From"
          description="Your local time"
          value={toLocalInput(filters.from)}
          onChange={(e) => update({ from: fromLocalInput(e.currentTarget.value, 'from') })}
        />
        <TextInput
          className="audit-filter-time"
          type="datetime-local"
          label="To"
          description="Your local time"
          value={toLocalInput(filters.to)}
          onChange={(e) => update({ to: fromLocalInput(e.currentTarget.value, 'to') })}
        />
        <Checkbox
          className="audit-filter-check"
          label="Hide sign-in refreshes"
          description="auth.refresh: one per page load"
          checked={filters.hideRefreshes ?? false}
          onChange={(e) => update({ hideRefreshes: e.currentTarget.checked || undefined })}
        />
        {filtered && (
          <div className="audit-filters-actions">
            <Button variant="subtle" onClick={clear}>
              Clear filters
            </Button>
          </div>
        )}
      </form>

      <ListBody
        query={logs}
        loading={<ListSkeleton label="Loading audit entries" rows={8} height={40} gap="0.5rem" />}
        errorTitle="Could not load the audit log"
        count={(data) => data.items.length}
        pastTheEnd={{
          page: filters.page,
          total,
          capped: !exact,
          noun: filtered ? 'audit entries matching these filters' : 'audit entries',
          onFirst: () => update({ page: 1 }),
        }}
        empty={
          filtered ? (
            <EmptyState
              title="No audit entries match these filters"
              action={
                <Button variant="default" onClick={clear}>
                  Clear filters
                </Button>
              }
            >
              Actions are matched exactly (user.update, not user): pick one from the suggestions, widen the time range
              or clear the filters.
            </EmptyState>
          ) : (
            <EmptyState title="No audit entries yet">
              Every sign-in and every change made through the console or the API is recorded here as it happens.
            </EmptyState>
          )
        }
      >
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table className="audit-table" highlightOnHover aria-label="Audit entries" aria-busy={logs.isFetching}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Time</Table.Th>
                    <Table.Th scope="col">Actor</Table.Th>
                    <Table.Th scope="col">Action</Table.Th>
                    <Table.Th scope="col">Resource</Table.Th>
                    <Table.Th scope="col">Outcome</Table.Th>
                    <Table.Th scope="col">
                      <span className="visually-hidden-text">Details</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((entry) => (
                    <AuditEntryRow
                      key={entry.id}
                      entry={entry}
                      users={userNames}
                      expanded={expanded.has(entry.id)}
                      onToggle={() => toggle(entry.id)}
                      onFilter={(changes) => update(changes)}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <PageFooter
              page={filters.page}
              hasNext={data.hasMore ?? filters.page < pages}
              onPage={(page) => update({ page })}
            >
              {pageRange(filters.page, total, PAGE_SIZE, exact)} · page {filters.page.toLocaleString('en')} of{' '}
              {pages.toLocaleString('en')}
              {exact ? '' : '+'}
            </PageFooter>
          </>
        )}
      </ListBody>
    </Stack>
  );
}
