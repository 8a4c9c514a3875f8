import { Anchor, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { noneYet, ownOnlyNote } from '../../app/own-lists';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { Pager, PastTheEnd } from '../../components/Pager';
import { pageOfSearch, pageQuery, withPage } from '../../components/paging';
import { useWebhooksWriteBlocked, webhookListQuery } from './webhook-api';
import { WEBHOOKS_PAGE_SIZE, type Webhook } from './webhook-helpers';
import { EndpointStatus, LastDelivery, WebhookActions } from './WebhookParts';

/** The user's webhook endpoints (an admin's: everyone's), newest first, paged in the URL (`?page=`). */
export function WebhookList({
  emptyAction,
  onEdit,
  onChanged,
}: {
  emptyAction: ReactNode;
  onEdit: (webhook: Webhook) => void;
  onChanged: (message: string) => void;
}) {
  const me = useMe();
  const blocked = useWebhooksWriteBlocked();
  const [search, setSearch] = useSearchParams();
  const page = pageOfSearch(search);
  const query = pageQuery(page, WEBHOOKS_PAGE_SIZE);
  const webhooks = useQuery(webhookListQuery(query));

  const goTo = (next: number) => setSearch(withPage(search, next));

  if (webhooks.isPending) {
    return (
      <Stack role="progressbar" gap="xs" aria-busy="true" aria-label="Loading webhooks">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} height={44} />
        ))}
      </Stack>
    );
  }
  if (webhooks.isError) {
    return (
      <ErrorState title="Could not load the webhooks" error={webhooks.error} onRetry={() => void webhooks.refetch()} />
    );
  }
  const total = webhooks.data.total;
  if (webhooks.data.items.length === 0) {
    return page > 1 && total > 0 ? (
      <PastTheEnd total={total} noun="webhooks" onFirst={() => goTo(1)} />
    ) : (
      <EmptyState title={noneYet('webhooks', me)} action={emptyAction}>
        {blocked
          ? 'Operators and admins add webhooks here (or with POST /api/v1/webhooks); each is listed with its last delivery.'
          : 'Add one with “New webhook”: give the URL of your receiver and choose the events it gets. You can also use POST /api/v1/webhooks.'}{' '}
        {ownOnlyNote('webhooks', me)}
      </EmptyState>
    );
  }

  return (
    <Stack gap="sm">
      {/* On a narrow screen the table scrolls sideways: which endpoint and whether it is enabled come first, so they
          stay in view without scrolling, as on the Schedules list. */}
      <Table.ScrollContainer minWidth={880}>
        <Table striped highlightOnHover aria-label="Webhooks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">URL</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Events</Table.Th>
              <Table.Th scope="col">Last delivery</Table.Th>
              {!blocked && <Table.Th scope="col">Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {webhooks.data.items.map((webhook) => (
              <Table.Tr key={webhook.id}>
                <Table.Th scope="row" fw={500} className="webhook-url">
                  <Anchor component={Link} to={webhook.id} aria-label={`Deliveries of ${webhook.url}`}>
                    {webhook.url}
                  </Anchor>
                </Table.Th>
                <Table.Td>
                  <EndpointStatus webhook={webhook} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {webhook.events.join(', ')}
                  </Text>
                </Table.Td>
                <Table.Td className="nowrap">
                  <LastDelivery id={webhook.id} />
                </Table.Td>
                {!blocked && (
                  <Table.Td>
                    <WebhookActions webhook={webhook} onEdit={onEdit} onChanged={onChanged} />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={page} skip={query.skip} size={WEBHOOKS_PAGE_SIZE} total={total} onPage={goTo} />
    </Stack>
  );
}
