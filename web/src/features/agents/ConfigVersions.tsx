import { Badge, Button, Group, Paper, Skeleton, Stack, Table, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState } from '../../components/ErrorState';
import { JsonView } from '../../components/JsonView';
import { TimeAgo } from '../../components/TimeAgo';
import type { components } from '../../api/schema';

type Agent = components['schemas']['AgentDto'];

/** The agent's config versions, newest first: each can be compared with the live one and rolled back to. */
export function ConfigVersions({ agent, blocked }: { agent: Agent; blocked: string | null }) {
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
        <Skeleton role="progressbar" height={64} aria-busy="true" aria-label="Loading config versions" />
      ) : versions.isError ? (
        <ErrorState
          title="Could not load config versions"
          error={versions.error}
          onRetry={() => void versions.refetch()}
        />
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table aria-label="Config versions">
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
        </Table.ScrollContainer>
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
