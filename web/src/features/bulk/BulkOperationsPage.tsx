import { Anchor, Code, Paper, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, Route, Routes, useParams, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { JsonView } from '../../components/JsonView';
import { PageTitle } from '../../components/PageTitle';
import { ListBody, ListSkeleton } from '../../components/ListBody';
import { Pager } from '../../components/Pager';
import { pageOfSearch, pageQuery, withPage } from '../../components/paging';
import { TimeAgo } from '../../components/TimeAgo';
import { NotFoundPage } from '../not-found/NotFoundPage';
import { BulkProgress } from './BulkProgress';
import { bulkListQuery, bulkQuery } from './bulk-api';
import { BULK_PAGE_SIZE, operationTitle } from './bulk-helpers';

/** `/bulk-operations` and `/bulk-operations/:id`: bulk retries and cancels, their progress and outcome. */
export function BulkOperationsPage() {
  return (
    <Routes>
      <Route index element={<BulkList />} />
      <Route path=":id" element={<BulkDetail />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

function Loading({ label }: { label: string }) {
  return <ListSkeleton label={label} rows={4} height={36} role={null} />;
}

function BulkList() {
  const [search, setSearch] = useSearchParams();
  const page = pageOfSearch(search);
  const { skip } = pageQuery(page, BULK_PAGE_SIZE);
  const ops = useQuery(bulkListQuery({ skip, limit: BULK_PAGE_SIZE }));
  const goTo = (next: number) => setSearch(withPage(search, next));

  const total = ops.data?.total ?? 0;
  const body = (
    <ListBody
      query={ops}
      loading={<Loading label="Loading bulk operations" />}
      errorTitle="Could not load the bulk operations"
      count={(data) => data.items.length}
      pastTheEnd={{ page, total, noun: 'bulk operations', onFirst: () => goTo(1) }}
      empty={
        <EmptyState title="No bulk operations yet">
          Filter the Tasks list (status failed, an agent, an error code…) and choose “Retry all matching…” or “Cancel
          all matching…”; the operation and its progress show here.
        </EmptyState>
      }
    >
      {({ items }) => (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={760}>
            <Table striped aria-label="Bulk operations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Operation</Table.Th>
                  <Table.Th scope="col">Matched</Table.Th>
                  <Table.Th scope="col">Progress</Table.Th>
                  <Table.Th scope="col">Started</Table.Th>
                  <Table.Th scope="col">Finished</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((op) => (
                  <Table.Tr key={op.id}>
                    <Table.Th scope="row" fw={500}>
                      <Anchor component={Link} to={op.id}>
                        {operationTitle(op)} {op.id.slice(0, 8)}
                      </Anchor>
                    </Table.Th>
                    <Table.Td>{op.matched.toLocaleString('en')}</Table.Td>
                    <Table.Td>
                      <BulkProgress op={op} />
                    </Table.Td>
                    <Table.Td>
                      <TimeAgo value={op.createdAt} />
                    </Table.Td>
                    <Table.Td>{op.finishedAt ? <TimeAgo value={op.finishedAt} /> : '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} skip={skip} size={BULK_PAGE_SIZE} total={total} onPage={goTo} />
        </Stack>
      )}
    </ListBody>
  );
  return (
    <Stack>
      <PageTitle>Bulk operations</PageTitle>
      <Text maw={760}>
        Retries and cancels of many tasks or workflow runs at once, run in the background a batch at a time. An
        operation acts on the items created before it that still match when their batch comes, so its counts may end
        below or above the number matched at the start.
      </Text>
      {body}
    </Stack>
  );
}

function BulkDetail() {
  const { id = '' } = useParams();
  const op = useQuery(bulkQuery(id));
  return (
    <Stack>
      <Anchor component={Link} to="/bulk-operations" size="sm">
        ← Bulk operations
      </Anchor>
      <PageTitle>
        {op.data ? `${operationTitle(op.data)} ${id.slice(0, 8)}` : `Bulk operation ${id.slice(0, 8)}`}
      </PageTitle>
      {op.isPending ? (
        <Loading label="Loading the bulk operation" />
      ) : op.isError ? (
        <ErrorState title="Could not load the bulk operation" error={op.error} onRetry={() => void op.refetch()} />
      ) : (
        <Paper withBorder p="md" radius="md">
          <Stack gap="sm">
            <BulkProgress op={op.data} />
            <Text size="sm">
              {op.data.matched.toLocaleString('en')} matched · {op.data.done.toLocaleString('en')} changed ·{' '}
              {op.data.failed.toLocaleString('en')} could not be changed
            </Text>
            {op.data.done + op.data.failed > op.data.matched && (
              <Text size="sm" c="dimmed">
                “Matched” is the count when the operation was created: items that came to match its filter since were
                acted on too.
              </Text>
            )}
            <Text size="sm" c="dimmed">
              Started <TimeAgo value={op.data.createdAt} />
              {op.data.finishedAt && (
                <>
                  {' '}
                  · finished <TimeAgo value={op.data.finishedAt} />
                </>
              )}
            </Text>
            <JsonView label="Filter" value={op.data.filter} />
            <Text size="xs" c="dimmed">
              ID <Code>{op.data.id}</Code>
            </Text>
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
