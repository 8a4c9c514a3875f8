import { Anchor, Group, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';
import { useShown } from '../../components/use-shown';
import { TimeAgo } from '../../components/TimeAgo';
import type { components } from '../../api/schema';
import { AgentSettings } from './AgentSettings';
import { ConfigVersions } from './ConfigVersions';
import { REFRESH_MS } from '../overview/stats-api';
import { EditConfig } from './EditConfig';
import { RecentTasks } from './RecentTasks';
import { AgentStatusBadge } from './agent-status';
import { useAgentChangeBlocked } from './hooks';

type Agent = components['schemas']['AgentDto'];

export function AgentDetail() {
  const { id = '' } = useParams();
  // Read again while shown, as the overview's figures are: a pause, resume or edit made elsewhere (another operator,
  // an API key's revocation) shows within that time, not only on the next visit.
  const agent = useQuery({
    queryKey: queryKeys.agents.detail(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/agents/{id}', { params: { path: { id } } })),
    refetchInterval: REFRESH_MS,
  });

  return (
    <Stack>
      <Anchor component={Link} to="/agents" size="sm">
        ← Agents
      </Anchor>
      {agent.isPending ? (
        <>
          <PageTitle>Agent</PageTitle>
          <Stack role="progressbar" aria-busy="true" aria-label="Loading the agent">
            <Skeleton height={32} />
            <Skeleton height={120} />
          </Stack>
        </>
      ) : agent.isError ? (
        <>
          <PageTitle>Agent</PageTitle>
          <ErrorState title="Could not load the agent" error={agent.error} onRetry={() => void agent.refetch()} />
        </>
      ) : (
        <AgentView agent={agent.data} />
      )}
    </Stack>
  );
}

function AgentView({ agent }: { agent: Agent }) {
  const blocked = useAgentChangeBlocked(agent);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const paused = agent.status === 'paused';
  const shown = useShown();

  const remove = async () => {
    // A 204 has no envelope to unwrap: only a refusal has something to say.
    const result = await api.DELETE('/api/v1/agents/{id}', { params: { path: { id: agent.id } } });
    if (!result.response.ok) throw toApiError(result.error, result.response);
    queryClient.removeQueries({ queryKey: queryKeys.agents.detail(agent.id) });
    await queryClient.invalidateQueries({ queryKey: queryKeys.agents.all });
    // Unless the user went elsewhere meanwhile (the answer was slow): the page they are on stays.
    if (shown.current)
      void navigate('/agents', {
        state: { notice: `Deleted “${agent.name}”: it takes no new tasks; its tasks and their history stay readable.` },
      });
  };

  const update = useMutation({
    mutationFn: async (body: components['schemas']['UpdateAgentDto']) =>
      unwrap(await api.PATCH('/api/v1/agents/{id}', { params: { path: { id: agent.id } }, body })),
    onSuccess: async (updated) => {
      queryClient.setQueryData(queryKeys.agents.detail(agent.id), updated);
      await queryClient.invalidateQueries({ queryKey: queryKeys.agents.all });
    },
  });

  return (
    <>
      <PageTitle truncate>{agent.name}</PageTitle>
      <Group gap="md" align="center">
        <Text>
          Status <AgentStatusBadge status={agent.status} />
        </Text>
        <ConfirmButton
          label={paused ? 'Resume agent' : 'Pause agent'}
          // Pausing is undone by Resume: neither is a destructive action.
          color={paused ? 'blue' : 'dark'}
          variant={paused ? 'light' : 'default'}
          consequence={
            paused
              ? `Agent “${agent.name}” starts running its queued tasks again.`
              : `Agent “${agent.name}” stops starting tasks; its queued tasks wait until it is resumed.`
          }
          confirmLabel={paused ? 'Resume' : 'Pause'}
          disabledReason={blocked ?? undefined}
          onConfirm={() => update.mutateAsync({ status: paused ? 'active' : 'paused' })}
        />
        <ConfirmButton
          label="Delete agent"
          confirmLabel="Delete the agent"
          consequence={
            `Agent “${agent.name}” takes no new tasks and leaves the list; its tasks and their history stay readable, ` +
            'and workflows with a step on it cannot be run until that step is changed.'
          }
          disabledReason={blocked ?? undefined}
          onConfirm={remove}
        />
      </Group>
      <Table variant="vertical" withTableBorder maw={640}>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">Type</Table.Th>
            <Table.Td>{agent.type}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Created</Table.Th>
            <Table.Td>
              <TimeAgo value={agent.createdAt} />
            </Table.Td>
          </Table.Tr>
          {agent.circuitBreaker && (
            <Table.Tr>
              <Table.Th scope="row">Circuit breaker</Table.Th>
              <Table.Td>{agent.circuitBreaker.state}</Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      {update.isError && <ErrorState title="The change was not saved" error={update.error} />}
      <AgentSettings key={agent.id} agent={agent} blocked={blocked} />
      <EditConfig agent={agent} blocked={blocked} />
      <ConfigVersions agent={agent} blocked={blocked} />
      <RecentTasks agentId={agent.id} />
    </>
  );
}
