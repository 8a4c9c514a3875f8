import { Anchor, Button, Group, Select, Stack, Table } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { toApiError } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { EmptyState } from '../../components/EmptyState';
import { NavigationNotice } from '../../components/NavigationNotice';
import { PageTitle } from '../../components/PageTitle';
import { TimeAgo } from '../../components/TimeAgo';
import { AgentStatusBadge } from './agent-status';
import { agentTypeFilter } from './agent-type-filter';
import { useAgentTypes, useAgentsWriteBlocked } from './hooks';
import { SearchBox } from '../../components/SearchBox';
import { DisabledButton } from '../../components/DisabledButton';
import { ListBody, ListSkeleton, RefreshFailed } from '../../components/ListBody';
import { pageOfSearch } from '../../components/paging';
import { PageCount } from '../../components/Pager';

const PAGE_SIZE = 25;
const STATUSES = ['active', 'paused'] as const;
type Status = (typeof STATUSES)[number];

function isStatus(value: string | null): value is Status {
  return STATUSES.includes(value as Status);
}

export function NewAgentButton() {
  const blocked = useAgentsWriteBlocked();
  if (blocked) return <DisabledButton label="New agent" reason={blocked} />;
  return (
    <Button component={Link} to="/agents/new">
      New agent
    </Button>
  );
}

export function AgentList() {
  const [params, setParams] = useSearchParams();
  const types = useAgentTypes();
  const typeParam = params.get('type');
  const { type, drop: dropType } = agentTypeFilter(
    typeParam,
    types.data?.map((t) => t.type),
  );
  const statusParam = params.get('status');
  const status = isStatus(statusParam) ? statusParam : undefined;
  const q = params.get('q') ?? undefined;
  const page = pageOfSearch(params);
  const skip = (page - 1) * PAGE_SIZE;
  // A type the server does not know leaves the URL quietly, as /tasks leaves out a status it does not know.
  useEffect(() => {
    if (!dropType) return;
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.delete('type');
        return next;
      },
      { replace: true },
    );
  }, [dropType, setParams]);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };

  const query = { skip, limit: PAGE_SIZE, type, status, q };
  const agents = useQuery({
    queryKey: queryKeys.agents.list(query),
    queryFn: async () => {
      const result = await api.GET('/api/v1/agents', { params: { query } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: keepPreviousData,
    // A type in the URL is checked against the known types first: one the server does not know is not asked for.
    enabled: !typeParam || !types.isPending,
  });
  const filtered = Boolean(type || status || q);
  const total = agents.data?.total ?? 0;

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Agents</PageTitle>
        <NewAgentButton />
      </Group>
      <NavigationNotice />
      <Group align="flex-end" role="search" aria-label="Filter agents">
        <SearchBox searches="Name or description" />
        <Select
          label="Type filter"
          placeholder="Any type"
          clearable
          data={(types.data ?? []).map((t) => t.type)}
          value={type ?? null}
          onChange={(value) => update({ type: value ?? undefined })}
        />
        <Select
          label="Status filter"
          placeholder="Any status"
          clearable
          data={[...STATUSES]}
          value={status ?? null}
          onChange={(value) => update({ status: value ?? undefined })}
        />
      </Group>
      <RefreshFailed query={agents} what="agents" />
      <ListBody
        query={agents}
        loading={<ListSkeleton label="Loading agents" rows={3} height={32} gap="md" />}
        errorTitle="Could not load agents"
        keepLastLoaded
        count={(data) => data.items.length}
        pastTheEnd={{
          page,
          total,
          noun: filtered ? 'agents matching these filters' : 'agents',
          onFirst: () => update({ page: undefined }),
        }}
        empty={
          filtered ? (
            <EmptyState
              title="No agents match these filters"
              action={
                <Button variant="default" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
                  Clear filters
                </Button>
              }
            >
              Change or clear the filters to see more agents.
            </EmptyState>
          ) : (
            <EmptyState title="No agents yet" action={<NewAgentButton />}>
              Create an agent: pick its type and fill in its configuration. It will be listed here.
            </EmptyState>
          )
        }
      >
        {(data) => (
          <>
            {/* On a narrow screen the table scrolls sideways inside its box, the page does not. */}
            <Table.ScrollContainer minWidth={480} type="native" className="scroll-hint">
              <Table striped highlightOnHover aria-label="Agents">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Type</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Created</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((agent) => (
                    <Table.Tr key={agent.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/agents/${agent.id}`} className="truncate" title={agent.name}>
                          {agent.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td className="nowrap">{agent.type}</Table.Td>
                      <Table.Td>
                        <AgentStatusBadge status={agent.status} />
                      </Table.Td>
                      <Table.Td className="nowrap">
                        <TimeAgo value={agent.createdAt} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <PageCount
              page={page}
              size={PAGE_SIZE}
              total={total}
              noun={['agent', 'agents']}
              onPage={(next) => update({ page: next > 1 ? String(next) : undefined })}
            />
          </>
        )}
      </ListBody>
    </Stack>
  );
}
