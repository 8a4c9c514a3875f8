import { Badge, Button, Code, Group, Stack, Table } from '@mantine/core';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { toApiError } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { EmptyState } from '../../components/EmptyState';
import { ListBody, ListSkeleton } from '../../components/ListBody';
import { PageCount } from '../../components/Pager';
import { TimeAgo } from '../../components/TimeAgo';
import { pageOfSearch, pageQuery, withPage } from '../../components/paging';
import { RevokeButton } from './RevokeButton';
import { type ApiKey, isExpired } from './scopes';

const PAGE_SIZE = 25;

function Expiry({ apiKey }: { apiKey: ApiKey }) {
  if (!apiKey.expiresAt) return <>Never</>;
  if (isExpired(apiKey)) {
    return (
      <Group gap={6} wrap="nowrap">
        <Badge color="red" variant="light" radius="sm">
          Expired
        </Badge>
        <TimeAgo value={apiKey.expiresAt} />
      </Group>
    );
  }
  return <TimeAgo value={apiKey.expiresAt} />;
}

/** The live keys (an admin's list has everyone's), newest first, paged in the URL (`?page=`). */
export function KeyList({
  emptyAction,
  onRevoked,
  focusWhenGone,
}: {
  emptyAction: ReactNode;
  onRevoked: (key: ApiKey) => void;
  /** Where focus goes once a revoked key's row has left the list. */
  focusWhenGone: () => HTMLElement | null | undefined;
}) {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const page = pageOfSearch(params);
  const query = pageQuery(page, PAGE_SIZE);
  const keys = useQuery({
    queryKey: [...queryKeys.apiKeys.all, 'list', query],
    queryFn: async () => {
      const result = await api.GET('/api/v1/api-keys', { params: { query } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: keepPreviousData,
  });

  const goTo = (next: number) => setParams(withPage(params, next), { replace: true });

  const revoke = async (key: ApiKey, keepRunning: boolean) => {
    const result = await api.DELETE('/api/v1/api-keys/{id}', {
      params: { path: { id: key.id }, query: keepRunning ? { keepRunning } : {} },
    });
    if (!result.response.ok) {
      const error = toApiError(result.error, result.response);
      if (error.code !== 'NOT_FOUND') throw error;
      // Revoked meanwhile (another tab, another admin): the list catches up.
      await queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys.all });
      throw new Error(`“${key.name}” was already revoked`);
    }
    // Not what the revoke dialog read of the key: it is gone (asked again, it would be a 404).
    await queryClient.invalidateQueries({
      queryKey: queryKeys.apiKeys.all,
      predicate: (q) => !q.queryKey.includes('revocation'),
    });
    onRevoked(key);
  };

  const total = keys.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <ListBody
      query={keys}
      loading={<ListSkeleton label="Loading API keys" rows={3} height={36} />}
      errorTitle="Could not load the API keys"
      count={(data) => data.items.length}
      empty={
        page > 1 && total > 0 ? (
          <EmptyState
            title="No keys on this page"
            action={
              <Button variant="default" onClick={() => goTo(1)}>
                First page
              </Button>
            }
          >
            There are {total.toLocaleString('en')} keys in all, on {pages === 1 ? 'one page' : `${pages} pages`}.
          </EmptyState>
        ) : (
          <EmptyState title="No API keys yet" action={emptyAction}>
            Create a key for each script or service that calls the API, with only the scopes it needs. Revoke it here
            when it is no longer used.
          </EmptyState>
        )
      }
    >
      {(data) => (
        <Stack gap="sm">
          {/* On a narrow screen the table scrolls sideways, as the other lists do: which key (name and prefix) comes
              first, so it stays in view without scrolling. */}
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover aria-label="API keys">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Prefix</Table.Th>
                  <Table.Th scope="col">Scopes</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Last used</Table.Th>
                  <Table.Th scope="col">Expires</Table.Th>
                  <Table.Th scope="col">Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((key) => (
                  <Table.Tr key={key.id}>
                    <Table.Th scope="row" fw={500}>
                      {key.name}
                    </Table.Th>
                    <Table.Td>
                      <span className="key-prefix">{key.prefix}…</span>
                    </Table.Td>
                    <Table.Td>
                      <span className="scope-list">
                        {key.scopes.map((scope) => (
                          <Code key={scope}>{scope}</Code>
                        ))}
                      </span>
                    </Table.Td>
                    <Table.Td className="key-time">
                      <TimeAgo value={key.createdAt} />
                    </Table.Td>
                    <Table.Td className="key-time">
                      {key.lastUsedAt ? <TimeAgo value={key.lastUsedAt} /> : 'Never'}
                    </Table.Td>
                    <Table.Td className="key-time">
                      <Expiry apiKey={key} />
                    </Table.Td>
                    <Table.Td>
                      <RevokeButton
                        apiKey={key}
                        onRevoke={(keepRunning) => revoke(key, keepRunning)}
                        focusWhenGone={focusWhenGone}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <PageCount page={page} size={PAGE_SIZE} total={total} noun={['key', 'keys']} onPage={goTo} />
        </Stack>
      )}
    </ListBody>
  );
}
