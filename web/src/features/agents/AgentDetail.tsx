import { Anchor, Badge, Button, Group, NumberInput, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ConfirmButton } from '../../components/ConfirmButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { JsonView } from '../../components/JsonView';
import { PageTitle } from '../../components/PageTitle';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import type { components } from '../../api/schema';
import { AgentStatusBadge } from './agent-status';
import { useAgentChangeBlocked } from './hooks';

type Agent = components['schemas']['AgentDto'];

export function AgentDetail() {
  const { id = '' } = useParams();
  const agent = useQuery({
    queryKey: queryKeys.agents.detail(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/agents/{id}', { params: { path: { id } } })),
  });

  return (
    <Stack>
      <Anchor component={Link} to="/agents" size="sm">
        ← Agents
      </Anchor>
      {agent.isPending ? (
        <>
          <PageTitle>Agent</PageTitle>
          <Stack aria-busy="true" aria-label="Loading the agent">
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
  const [concurrency, setConcurrency] = useState<string | number>(agent.concurrency);

  const remove = async () => {
    // A 204 has no envelope to unwrap: only a refusal has something to say.
    const result = await api.DELETE('/api/v1/agents/{id}', { params: { path: { id: agent.id } } });
    if (!result.response.ok) throw toApiError(result.error, result.response);
    queryClient.removeQueries({ queryKey: queryKeys.agents.detail(agent.id) });
    await queryClient.invalidateQueries({ queryKey: queryKeys.agents.all });
    void navigate('/agents');
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
      <PageTitle>{agent.name}</PageTitle>
      <Group gap="md" align="center">
        <Text>
          Status <AgentStatusBadge status={agent.status} />
        </Text>
        <ConfirmButton
          label={paused ? 'Resume agent' : 'Pause agent'}
          color={paused ? 'blue' : 'red'}
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
            <Table.Th scope="row">Description</Table.Th>
            <Table.Td>{agent.description ?? '—'}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Timeout</Table.Th>
            <Table.Td>{(agent.timeoutMs / 1000).toLocaleString('en')} s</Table.Td>
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
      <Group align="flex-end">
        <NumberInput
          label="Concurrency"
          description={`Tasks of this agent running at once${blocked ? `. ${blocked}.` : ''}`}
          min={1}
          value={concurrency}
          onChange={setConcurrency}
          disabled={Boolean(blocked)}
          w={220}
        />
        <Button
          variant="default"
          disabled={Boolean(blocked) || typeof concurrency !== 'number' || concurrency === agent.concurrency}
          loading={update.isPending && update.variables?.concurrency !== undefined}
          onClick={() => typeof concurrency === 'number' && update.mutate({ concurrency })}
        >
          Save concurrency
        </Button>
      </Group>
      {update.isError && <ErrorState title="The change was not saved" error={update.error} />}
      <JsonView label={`Configuration (version ${agent.configVersion}; secrets masked)`} value={agent.config} />
      <ConfigVersions agent={agent} blocked={blocked} />
      <RecentTasks agentId={agent.id} />
    </>
  );
}

function ConfigVersions({ agent, blocked }: { agent: Agent; blocked: string | null }) {
  const queryClient = useQueryClient();
  const versionsKey = [...queryKeys.agents.detail(agent.id), 'config-versions'] as const;
  const versions = useQuery({
    queryKey: versionsKey,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/agents/{id}/config/versions', { params: { path: { id: agent.id } } })),
  });
  const [compare, setCompare] = useState<number | null>(null);

  const rollback = async (version: number) => {
    unwrap(
      await api.POST('/api/v1/agents/{id}/config/rollback', {
        params: { path: { id: agent.id } },
        body: { version },
      }),
    );
    await queryClient.invalidateQueries({ queryKey: queryKeys.agents.detail(agent.id) });
    await queryClient.invalidateQueries({ queryKey: queryKeys.agents.all });
  };

  const sorted = [...(versions.data ?? [])].sort((a, b) => b.version - a.version);
  const compared = sorted.find((v) => v.version === compare);

  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        Config versions
      </Title>
      {versions.isPending ? (
        <Skeleton height={64} aria-busy="true" aria-label="Loading config versions" />
      ) : versions.isError ? (
        <ErrorState
          title="Could not load config versions"
          error={versions.error}
          onRetry={() => void versions.refetch()}
        />
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Version</Table.Th>
              <Table.Th scope="col">Source</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sorted.map((v) => (
              <Table.Tr key={v.version}>
                <Table.Td>
                  {v.version}{' '}
                  {v.version === agent.configVersion && (
                    <Badge variant="light" color="blue" radius="sm">
                      current
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  {v.source}
                  {v.rolledBackFrom !== null && ` (from version ${v.rolledBackFrom})`}
                </Table.Td>
                <Table.Td>
                  <TimeAgo value={v.createdAt} />
                </Table.Td>
                <Table.Td>
                  {v.version !== agent.configVersion && (
                    <Group gap="xs">
                      <Button
                        size="xs"
                        variant="default"
                        aria-pressed={compare === v.version}
                        onClick={() => setCompare(compare === v.version ? null : v.version)}
                      >
                        Compare version {v.version}
                      </Button>
                      <ConfirmButton
                        size="xs"
                        label={`Rollback to version ${v.version}`}
                        consequence={`A new config version equal to version ${v.version} becomes live for the next task of “${agent.name}”.`}
                        confirmLabel="Roll back"
                        disabledReason={blocked ?? undefined}
                        onConfirm={() => rollback(v.version)}
                      />
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {compared && (
        <Group align="flex-start" grow>
          <Paper withBorder p="sm">
            <JsonView label={`Version ${compared.version}`} value={compared.config} />
          </Paper>
          <Paper withBorder p="sm">
            <JsonView label={`Version ${agent.configVersion} (current)`} value={agent.config} />
          </Paper>
        </Group>
      )}
    </Stack>
  );
}

function RecentTasks({ agentId }: { agentId: string }) {
  const params = { agentId, limit: 10 };
  const tasks = useQuery({
    queryKey: queryKeys.tasks.list(params),
    queryFn: async () => unwrap(await api.GET('/api/v1/tasks', { params: { query: params } })),
  });
  return (
    <Stack gap="xs">
      <Title order={2} size="h3">
        Recent tasks
      </Title>
      {tasks.isPending ? (
        <Skeleton height={64} aria-busy="true" aria-label="Loading recent tasks" />
      ) : tasks.isError ? (
        <ErrorState title="Could not load tasks" error={tasks.error} onRetry={() => void tasks.refetch()} />
      ) : tasks.data.length === 0 ? (
        <EmptyState title="No tasks yet">Tasks sent to this agent (POST /api/v1/tasks) are listed here.</EmptyState>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Task</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Attempts</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tasks.data.map((task) => (
              <Table.Tr key={task.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/tasks/${task.id}`}>
                    {task.id.slice(0, 8)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={task.status} />
                </Table.Td>
                <Table.Td>
                  {task.attempts} / {task.maxAttempts}
                </Table.Td>
                <Table.Td>
                  <TimeAgo value={task.createdAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
