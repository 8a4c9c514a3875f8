import { Anchor, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { noneYet, ownOnlyNote } from '../../app/own-lists';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ListBody, ListSkeleton } from '../../components/ListBody';
import { Pager } from '../../components/Pager';
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

  const total = webhooks.data?.total ?? 0;
  return (
    <ListBody
      query={webhooks}
      loading={<ListSkeleton label="Loading webhooks" rows={3} height={44} />}
      errorTitle="Could not load the webhooks"
      count={(data) => data.items.length}
      pastTheEnd={{ page, total, noun: 'webhooks', onFirst: () => goTo(1) }}
      empty={
        <EmptyState title={noneYet('webhooks', me)} action={emptyAction}>
          {blocked
            ? 'Operators and admins add webhooks here (or with POST /api/v1/webhooks); each is listed with its last delivery.'
            : 'Add one with “New webhook”: give the URL of your receiver and choose the events it gets. You can also use POST /api/v1/webhooks.'}{' '}
          {ownOnlyNote('webhooks', me)}
        </EmptyState>
      }
    >
      {({ items }) => (
        <Stack gap="sm">
          {/* The columns' widths are set (webhooks.css): the URL takes what the others leave, so a long one cannot
              push the rest out of view; it wraps, cut after three lines, whole on hover. On a narrow screen the
              table scrolls sideways: which endpoint and whether it is enabled come first, so they stay in view
              without scrolling, as on the Schedules list. */}
          <Table.ScrollContainer minWidth={880}>
            <Table striped highlightOnHover layout="fixed" aria-label="Webhooks" className="webhooks-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col" className="webhooks-url-col">
                    URL
                  </Table.Th>
                  <Table.Th scope="col" className="webhooks-status-col">
                    Status
                  </Table.Th>
                  <Table.Th scope="col" className="webhooks-events-col">
                    Events
                  </Table.Th>
                  <Table.Th scope="col" className="webhooks-last-col">
                    Last delivery
                  </Table.Th>
                  {!blocked && (
                    <Table.Th scope="col" className="webhooks-actions-col">
                      Actions
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((webhook) => (
                  <Table.Tr key={webhook.id}>
                    <Table.Th scope="row" fw={500} className="webhook-url">
                      <Anchor
                        component={Link}
                        to={webhook.id}
                        aria-label={`Deliveries of ${webhook.url}`}
                        title={webhook.url}
                        className="webhook-url-clamp"
                      >
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
      )}
    </ListBody>
  );
}
