import { Anchor, Button, Group, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ListBody, ListSkeleton, RefreshFailed } from '../../components/ListBody';
import { NavigationNotice } from '../../components/NavigationNotice';
import { PageTitle } from '../../components/PageTitle';
import { TimeAgo } from '../../components/TimeAgo';
import { SearchBox } from '../../components/SearchBox';
import { TriggersPausedBadge } from './TriggersSection';
import { useWorkflowsWriteBlocked, workflowListQuery } from './workflow-api';
import { pageOfSearch, pageQuery } from '../../components/paging';
import { Pager } from '../../components/Pager';

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
      <NavigationNotice />
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
      <RefreshFailed query={workflows} what="workflows" />
      <ListBody
        query={workflows}
        loading={<ListSkeleton label="Loading workflows" rows={5} height={36} />}
        errorTitle="Could not load the workflows"
        keepLastLoaded
        count={(data) => data.items.length}
        pastTheEnd={{ page, total, noun: 'workflows', onFirst: () => update({ page: undefined }) }}
        empty={
          q ? (
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
        }
      >
        {(data) => (
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
                  {data.items.map((workflow) => (
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
            <Pager
              page={page}
              skip={params.skip}
              size={size}
              total={total}
              buttonSize="sm"
              onPage={(next) => update({ page: next > 1 ? String(next) : undefined })}
            />
          </>
        )}
      </ListBody>
    </Stack>
  );
}
