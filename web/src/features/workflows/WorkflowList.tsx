import { Anchor, Button, Group, NativeSelect, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';
import { TimeAgo } from '../../components/TimeAgo';
import { SearchBox } from '../../components/SearchBox';
import { TriggersPausedBadge } from './TriggersSection';
import { useWorkflowsWriteBlocked, workflowListQuery } from './workflow-api';
import { isPastTheEnd, pageOfSearch, pageQuery } from '../../components/paging';
import { PastTheEnd } from '../../components/Pager';

const PAGE_SIZES = [10, 25, 50, 100];
const DEFAULT_SIZE = 25;
const numberFormat = new Intl.NumberFormat('en');

/** "New workflow" for those who may define workflows; nothing for the others (the page says why). */
export function NewWorkflowButton({ variant = 'filled' }: { variant?: 'filled' | 'default' }) {
  const blocked = useWorkflowsWriteBlocked();
  if (blocked) return null;
  return (
    <Button component={Link} to="/workflows/new" variant={variant}>
      New workflow
    </Button>
  );
}

export function WorkflowList() {
  const blocked = useWorkflowsWriteBlocked();
  const [search, setSearch] = useSearchParams();
  const sizeParam = Number(search.get('size'));
  const size = PAGE_SIZES.includes(sizeParam) ? sizeParam : DEFAULT_SIZE;
  const page = pageOfSearch(search);
  const q = search.get('q') || undefined;
  const params = { ...pageQuery(page, size), ...(q ? { q } : {}) };
  const workflows = useQuery(workflowListQuery(params));

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearch(next);
  };

  const total = workflows.data?.total ?? 0;
  const from = total === 0 ? 0 : params.skip + 1;
  const to = Math.min(total, params.skip + size);

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Workflows</PageTitle>
        {blocked ? (
          <Text size="sm" c="dimmed">
            Defining workflows needs the workflows:write permission.
          </Text>
        ) : (
          <NewWorkflowButton />
        )}
      </Group>
      <Group align="flex-end" role="search" aria-label="Workflow list options">
        <SearchBox searches="Name or description" />
        <NativeSelect
          label="Per page"
          value={String(size)}
          onChange={(e) => {
            const value = e.currentTarget.value;
            update({ size: value === String(DEFAULT_SIZE) ? undefined : value, page: undefined });
          }}
          data={PAGE_SIZES.map(String)}
        />
      </Group>
      {workflows.isError && workflows.data && (
        <ErrorState
          title="Could not refresh: showing the workflows as last loaded"
          error={workflows.error}
          onRetry={() => void workflows.refetch()}
        />
      )}
      {workflows.isPending ? (
        <Stack role="progressbar" gap="xs" aria-busy="true" aria-label="Loading workflows">
          {Array.from({ length: 5 }, (_, i) => (
            <Skeleton key={i} height={36} />
          ))}
        </Stack>
      ) : !workflows.data ? (
        <ErrorState
          title="Could not load the workflows"
          error={workflows.error}
          onRetry={() => void workflows.refetch()}
        />
      ) : workflows.data.items.length === 0 ? (
        isPastTheEnd(page, 0, total) ? (
          <PastTheEnd total={total} noun="workflows" onFirst={() => update({ page: undefined })} />
        ) : q ? (
          <EmptyState
            title="No workflows match this search"
            action={
              <Button variant="default" onClick={() => update({ q: undefined })}>
                Clear the search
              </Button>
            }
          >
            No workflow has “{q}” in its name or description.
          </EmptyState>
        ) : (
          <EmptyState title="No workflows yet" action={<NewWorkflowButton variant="default" />}>
            A workflow runs several agents in order, each step using what the ones before it produced. Define one here
            (its steps as JSON, drawn as a graph), or with POST /api/v1/workflows.
          </EmptyState>
        )
      ) : (
        <>
          <Table.ScrollContainer minWidth={560}>
            <Table striped highlightOnHover aria-label="Workflows">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Steps</Table.Th>
                  <Table.Th scope="col">Version</Table.Th>
                  <Table.Th scope="col">Updated</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {workflows.data.items.map((workflow) => (
                  <Table.Tr key={workflow.id}>
                    <Table.Td>
                      <Group gap={6}>
                        <Anchor component={Link} to={`/workflows/${workflow.id}`}>
                          {workflow.name}
                        </Anchor>
                        {workflow.triggersPausedReason && (
                          <TriggersPausedBadge reason={workflow.triggersPausedReason} />
                        )}
                      </Group>
                      {workflow.description && (
                        <Text size="xs" c="dimmed" lineClamp={1}>
                          {workflow.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{numberFormat.format(workflow.stepCount)}</Table.Td>
                    <Table.Td>{numberFormat.format(workflow.version)}</Table.Td>
                    <Table.Td>
                      <TimeAgo value={workflow.updatedAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between">
            <Text size="sm" aria-live="polite">
              {numberFormat.format(from)}–{numberFormat.format(to)} of {numberFormat.format(total)}
            </Text>
            <Group gap="xs">
              <Button
                variant="default"
                disabled={page <= 1}
                onClick={() => update({ page: page - 1 > 1 ? String(page - 1) : undefined })}
              >
                Previous page
              </Button>
              <Button variant="default" disabled={to >= total} onClick={() => update({ page: String(page + 1) })}>
                Next page
              </Button>
            </Group>
          </Group>
        </>
      )}
    </Stack>
  );
}
