import { Badge, Button, Code, Group, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState } from '../../components/ErrorState';
import { JsonView } from '../../components/JsonView';
import { TimeAgo } from '../../components/TimeAgo';
import type { components } from '../../api/schema';
import { type ConfigChange, type ValueText, configChanges, holdsMaskedSecret } from './config-diff';
import './agents.css';

type Agent = components['schemas']['AgentDto'];

/** One side of a change: its value as short JSON (whole on hover, or shown whole on demand), or "not set". */
function ChangeValue({ value, name }: { value: ValueText | null; name: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  if (!value) {
    return (
      <Text size="sm" c="dimmed" span>
        not set
      </Text>
    );
  }
  return (
    <Stack gap={4} align="flex-start">
      {!open && (
        <Code className="config-change-value" title={value.cut ? value.full : undefined}>
          {value.short}
        </Code>
      )}
      {value.cut && (
        <>
          {open && (
            <Code block id={id} className="config-change-value">
              {value.full}
            </Code>
          )}
          <Button
            variant="subtle"
            size="compact-xs"
            aria-expanded={open}
            aria-controls={open ? id : undefined}
            aria-label={`${open ? 'Show less' : 'Show all'} of ${name}`}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? 'Show less' : 'Show all'}
          </Button>
        </>
      )}
    </Stack>
  );
}

/**
 * What differs between an older config version and the current one: each change's JSON pointer, its kind in
 * words and both values; the two whole documents below, folded. Masked secrets compare as their masked text.
 */
function ConfigComparison({ from, to }: { from: { version: number; config: unknown }; to: Agent }) {
  const changes: ConfigChange[] = useMemo(() => configChanges(from.config, to.config), [from.config, to.config]);
  const heading = useId();
  const fromName = `Version ${from.version}`;
  const toName = `Version ${to.configVersion} (current)`;
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby={heading}>
      <Stack gap="sm">
        <Title order={3} size="h4" id={heading}>
          Changes from version {from.version} to version {to.configVersion} (current)
        </Title>
        {(holdsMaskedSecret(from.config) || holdsMaskedSecret(to.config)) && (
          <Text size="sm" c="dimmed">
            Secrets are masked in both versions: a secret given anew shows no difference here.
          </Text>
        )}
        {changes.length === 0 ? (
          <Text>No differences: version {from.version} is the same as the current config.</Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table aria-labelledby={heading} className="config-changes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Path</Table.Th>
                  <Table.Th scope="col">Change</Table.Th>
                  <Table.Th scope="col" className="config-change-side">
                    {fromName}
                  </Table.Th>
                  <Table.Th scope="col" className="config-change-side">
                    {toName}
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {changes.map((change) => (
                  <Table.Tr key={change.path}>
                    <Table.Th scope="row" fw={400}>
                      <Code>{change.path === '' ? '(the whole config)' : change.path}</Code>
                    </Table.Th>
                    <Table.Td>
                      <span className="config-change" data-kind={change.kind}>
                        {change.kind}
                      </span>
                    </Table.Td>
                    <Table.Td>
                      <ChangeValue value={change.before} name={`${change.path} in version ${from.version}`} />
                    </Table.Td>
                    <Table.Td>
                      <ChangeValue value={change.after} name={`${change.path} in version ${to.configVersion}`} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group align="flex-start" grow>
          <Paper withBorder p="sm">
            <JsonView label={fromName} value={from.config} collapsed />
          </Paper>
          <Paper withBorder p="sm">
            <JsonView label={toName} value={to.config} collapsed />
          </Paper>
        </Group>
      </Stack>
    </Paper>
  );
}

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
      {compared && <ConfigComparison key={`${compared.version}-${agent.configVersion}`} from={compared} to={agent} />}
    </Stack>
  );
}
