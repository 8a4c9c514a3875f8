import { Anchor, Button, Group, NativeSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { memo, useMemo, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ListBody, ListSkeleton, RefreshFailed } from '../../components/ListBody';
import { PageFooter } from '../../components/Pager';
import { PageTitle } from '../../components/PageTitle';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { noneYet, ownOnlyNote } from '../../app/own-lists';
import { useMe } from '../../app/session';
import { LiveTasks } from './LiveTasks';
import {
  STATUSES,
  type TaskListItem,
  type TaskListParams,
  type TaskStatus,
  agentsQuery,
  taskListQuery,
} from './task-api';
import { listPosition } from './task-paging';
import { TaskProgress } from './TaskProgress';
import { BulkTaskActions } from '../bulk/BulkActions';
import { bulkTaskFilter } from '../bulk/bulk-helpers';
import { useSlashFocus } from '../../components/use-slash-focus';

const PAGE_SIZE = 20;
const RANGES: { value: string; label: string; ms?: number }[] = [
  { value: '', label: 'Any time' },
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
];

/** The start of a time range, rounded to the minute so the query key stays put between renders. */
function createdAfter(range: string): string | undefined {
  const ms = RANGES.find((r) => r.value === range)?.ms;
  if (!ms) return undefined;
  const start = Math.floor((Date.now() - ms) / 60_000) * 60_000;
  return new Date(start).toISOString();
}

/**
 * One row; rendered again only when its task changes: a live event changes one task object, and a refetch
 * keeps the objects of unchanged tasks (TanStack Query's structural sharing).
 */
const TaskRow = memo(function TaskRow({ task, agentName }: { task: TaskListItem; agentName: string | undefined }) {
  return (
    <Table.Tr>
      <Table.Td className="nowrap">
        <Anchor component={Link} to={task.id} ff="monospace" aria-label={`Task ${task.id}`}>
          {task.id.slice(0, 8)}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <StatusBadge status={task.status} />
      </Table.Td>
      <Table.Td>
        <span className="truncate" title={agentName}>
          {agentName ?? task.agentId.slice(0, 8)}
        </span>
      </Table.Td>
      <Table.Td>
        <TaskProgress task={task} label={`Progress of task ${task.id.slice(0, 8)}`} />
      </Table.Td>
      <Table.Td>
        {task.attempts - task.attemptOffset} / {task.maxAttempts}
      </Table.Td>
      <Table.Td>
        <TimeAgo value={task.createdAt} />
      </Table.Td>
    </Table.Tr>
  );
});

export function TaskList() {
  const me = useMe();
  const canWrite = me.permissions.includes('tasks:write');
  const [search, setSearch] = useSearchParams();
  const status = STATUSES.includes(search.get('status') as TaskStatus)
    ? (search.get('status') as TaskStatus)
    : undefined;
  const agentId = search.get('agent') ?? undefined;
  const range = search.get('range') ?? '';
  const errorCode = search.get('errorCode') ?? undefined;
  const tag = search.get('tag') ?? undefined;
  const page = Math.max(1, Math.floor(Number(search.get('page'))) || 1);
  const afterForRange = useMemo(() => createdAfter(range), [range]);

  const params: TaskListParams = {
    status,
    agentId,
    errorCode,
    tag,
    createdAfter: afterForRange,
    skip: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  };
  const tasks = useQuery(taskListQuery(params));
  const agents = useQuery(agentsQuery());
  const agentNames = useMemo(() => new Map((agents.data ?? []).map((a) => [a.id, a.name])), [agents.data]);
  const watched = useMemo(
    () => (agentId ? [agentId] : (agents.data ?? []).map((a) => a.id)).map((id) => ({ agentId: id })),
    [agentId, agents.data],
  );

  const statusRef = useRef<HTMLSelectElement>(null);
  useSlashFocus(statusRef);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('page' in changes)) next.delete('page');
    setSearch(next);
  };

  const position = listPosition(
    page,
    PAGE_SIZE,
    tasks.data?.tasks.length ?? 0,
    tasks.data?.total ?? 0,
    tasks.data?.totalCapped ?? false,
  );
  const filtered = Boolean(status || agentId || range || errorCode || tag);

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Tasks</PageTitle>
        {canWrite ? (
          <Button component={Link} to="new">
            New task
          </Button>
        ) : (
          <Text size="sm" c="dimmed">
            Creating tasks needs the tasks:write permission.
          </Text>
        )}
      </Group>
      <LiveTasks subscription={watched} subject="The list" />

      <Group
        component="form"
        role="search"
        aria-label="Filter tasks"
        align="flex-end"
        gap="md"
        onSubmit={(e) => e.preventDefault()}
      >
        <NativeSelect
          ref={statusRef}
          label="Status"
          value={status ?? ''}
          onChange={(e) => update({ status: e.currentTarget.value || undefined })}
          data={[{ value: '', label: 'Any status' }, ...STATUSES.map((s) => ({ value: s, label: s }))]}
        />
        <NativeSelect
          label="Agent"
          className="task-agent-filter"
          title={agentId ? (agentNames.get(agentId) ?? agentId) : undefined}
          value={agentId ?? ''}
          onChange={(e) => update({ agent: e.currentTarget.value || undefined })}
          data={[
            { value: '', label: 'Any agent' },
            ...(agents.data ?? []).map((a) => ({ value: a.id, label: a.name })),
            ...(agentId && !agentNames.has(agentId) ? [{ value: agentId, label: agentId }] : []),
          ]}
        />
        <NativeSelect
          label="Created"
          value={range}
          onChange={(e) => update({ range: e.currentTarget.value || undefined })}
          data={RANGES.map(({ value, label }) => ({ value, label }))}
        />
        <TextInput
          key={`error-${errorCode ?? ''}`}
          label="Error code"
          placeholder="e.g. DIVISION_BY_ZERO"
          defaultValue={errorCode ?? ''}
          onBlur={(e) => update({ errorCode: e.currentTarget.value.trim() || undefined })}
          onKeyDown={(e) => {
            if (e.key === 'Enter') update({ errorCode: e.currentTarget.value.trim() || undefined });
          }}
        />
        <TextInput
          key={`tag-${tag ?? ''}`}
          label="Tag"
          defaultValue={tag ?? ''}
          onBlur={(e) => update({ tag: e.currentTarget.value.trim() || undefined })}
          onKeyDown={(e) => {
            if (e.key === 'Enter') update({ tag: e.currentTarget.value.trim() || undefined });
          }}
        />
        {filtered && (
          <Button variant="subtle" onClick={() => setSearch(new URLSearchParams())}>
            Clear filters
          </Button>
        )}
      </Group>

      {filtered && canWrite && (
        <BulkTaskActions filter={bulkTaskFilter({ status, agentId, errorCode, tag, createdAfter: afterForRange })} />
      )}

      <RefreshFailed query={tasks} what="tasks" />
      <ListBody
        query={tasks}
        loading={<ListSkeleton label="Loading tasks" rows={5} height={36} />}
        errorTitle="Could not load the tasks"
        keepLastLoaded
        count={(data) => data.tasks.length}
        pastTheEnd={{
          page,
          total: tasks.data?.total ?? 0,
          capped: tasks.data?.totalCapped,
          noun: filtered ? 'tasks matching these filters' : 'tasks',
          onFirst: () => update({ page: undefined }),
        }}
        empty={
          filtered ? (
            <EmptyState
              title="No tasks match these filters"
              action={
                <Button variant="default" onClick={() => setSearch(new URLSearchParams())}>
                  Clear filters
                </Button>
              }
            >
              Widen the time range or pick another status or agent.
            </EmptyState>
          ) : (
            <EmptyState
              title={noneYet('tasks', me)}
              action={
                canWrite ? (
                  <Button component={Link} to="new" variant="default">
                    Create a task
                  </Button>
                ) : undefined
              }
            >
              A task runs one agent on one input.
              {canWrite && ' Create one here, or with POST /api/v1/tasks.'} {ownOnlyNote('tasks', me)}
            </EmptyState>
          )
        }
      >
        {(data) => (
          <>
            {/* A native scroll container: Mantine's ScrollArea adds observers and scrollbars to every render. */}
            <Table.ScrollContainer minWidth={640} type="native" className="scroll-hint">
              <Table striped highlightOnHover aria-label="Tasks">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Task</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Agent</Table.Th>
                    <Table.Th>Progress</Table.Th>
                    <Table.Th>Attempts</Table.Th>
                    <Table.Th>Created</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.tasks.map((task) => (
                    <TaskRow key={task.id} task={task} agentName={agentNames.get(task.agentId)} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <PageFooter
              page={page}
              hasNext={position.hasNext}
              buttonSize="sm"
              onPage={(next) => update({ page: next > 1 ? String(next) : undefined })}
            >
              {position.label}
            </PageFooter>
          </>
        )}
      </ListBody>
    </Stack>
  );
}
