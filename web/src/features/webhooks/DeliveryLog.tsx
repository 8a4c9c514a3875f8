import { Anchor, Button, Code, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { queryKeys } from '../../api/query-keys';
import { EmptyState } from '../../components/EmptyState';
import { ListBody, ListSkeleton } from '../../components/ListBody';
import { Pager } from '../../components/Pager';
import { pageOfSearch, pageQuery, withPage } from '../../components/paging';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { useAction } from '../../components/use-action';
import { deliveriesQuery, redeliver, useWebhooksWriteBlocked } from './webhook-api';
import {
  DELIVERIES_PAGE_SIZE,
  type Delivery,
  type Webhook,
  describeResponse,
  formatDuration,
  resourcePath,
} from './webhook-helpers';
import { DisabledButton } from '../../components/DisabledButton';

/** Every attempt of a delivery, folded away until asked for. */
function AttemptLog({ delivery }: { delivery: Delivery }) {
  if (delivery.attemptLog.length === 0) {
    return delivery.status === 'pending' ? (
      <Text size="xs" c="dimmed">
        not sent yet
      </Text>
    ) : null;
  }
  return (
    <details className="webhook-attempts">
      <summary>{delivery.attemptLog.length === 1 ? '1 attempt' : `${delivery.attemptLog.length} attempts`}</summary>
      <ol>
        {delivery.attemptLog.map((a) => (
          <li key={a.attempt}>
            #{a.attempt} <TimeAgo value={a.at} /> · {describeResponse(a.responseCode)} · {formatDuration(a.durationMs)}
            {a.error && <> · {a.error}</>}
          </li>
        ))}
      </ol>
    </details>
  );
}

function Redeliver({
  webhook,
  delivery,
  onDone,
}: {
  webhook: Webhook;
  delivery: Delivery;
  onDone: (m: string) => void;
}) {
  const queryClient = useQueryClient();
  const { busy, failure, run } = useAction('The redelivery failed');
  const label = `Redeliver ${delivery.eventType} of ${delivery.resourceId.slice(0, 8)}`;
  if (!webhook.enabled) {
    return (
      <DisabledButton size="xs" variant="default" label="Redeliver" name={label} reason="the webhook is disabled" />
    );
  }
  return (
    <Stack gap={2}>
      <Button
        size="xs"
        variant="default"
        loading={busy}
        aria-label={label}
        onClick={() =>
          void run(async () => {
            await redeliver(webhook.id, delivery.id);
            await queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.deliveries(webhook.id) });
            onDone(`Redelivering ${delivery.eventType} (message ${delivery.messageId}) as a new delivery.`);
          })
        }
      >
        Redeliver
      </Button>
      {failure && (
        <Text size="xs" c="red.8" role="alert">
          {failure}
        </Text>
      )}
    </Stack>
  );
}

/** An endpoint's deliveries, newest first, paged in the URL (`?page=`); read again while one is pending. */
export function DeliveryLog({ webhook, onChanged }: { webhook: Webhook; onChanged: (message: string) => void }) {
  const blocked = useWebhooksWriteBlocked();
  const [search, setSearch] = useSearchParams();
  const page = pageOfSearch(search);
  const query = pageQuery(page, DELIVERIES_PAGE_SIZE);
  const deliveries = useQuery(deliveriesQuery(webhook.id, query));

  const goTo = (next: number) => setSearch(withPage(search, next));

  const total = deliveries.data?.total ?? 0;
  return (
    <ListBody
      query={deliveries}
      loading={<ListSkeleton label="Loading deliveries" rows={3} height={36} />}
      errorTitle="Could not load the deliveries"
      count={(data) => data.items.length}
      pastTheEnd={{ page, total, noun: 'deliveries', onFirst: () => goTo(1) }}
      empty={
        <EmptyState title="No deliveries yet">
          A delivery is made when a task or run you created ends with one of its events ({webhook.events.join(', ')}).
        </EmptyState>
      }
    >
      {({ items }) => (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={880}>
            <Table striped aria-label="Deliveries">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Event</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Response</Table.Th>
                  <Table.Th scope="col">Duration</Table.Th>
                  <Table.Th scope="col">Attempts</Table.Th>
                  <Table.Th scope="col">Time</Table.Th>
                  {!blocked && <Table.Th scope="col">Actions</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((delivery) => {
                  const path = resourcePath(delivery);
                  return (
                    <Table.Tr key={delivery.id}>
                      <Table.Th scope="row" fw={500}>
                        <Code>{delivery.eventType}</Code>{' '}
                        {path ? (
                          <Anchor component={Link} to={path} size="sm">
                            task {delivery.resourceId.slice(0, 8)}
                          </Anchor>
                        ) : (
                          <Text size="sm" span>
                            run {delivery.resourceId.slice(0, 8)}
                          </Text>
                        )}
                      </Table.Th>
                      <Table.Td>
                        <StatusBadge status={delivery.status} />
                        {delivery.status === 'pending' && delivery.nextAttemptAt && (
                          <Text size="xs" c="dimmed">
                            next attempt <TimeAgo value={delivery.nextAttemptAt} />
                          </Text>
                        )}
                        {delivery.error && (
                          <Text size="xs" c="dimmed" className="webhook-error">
                            {delivery.error}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td className="nowrap">
                        {delivery.attempts > 0 ? describeResponse(delivery.responseCode) : '—'}
                      </Table.Td>
                      <Table.Td>{formatDuration(delivery.durationMs)}</Table.Td>
                      <Table.Td>
                        {delivery.attempts}
                        <AttemptLog delivery={delivery} />
                      </Table.Td>
                      <Table.Td>
                        <TimeAgo value={delivery.createdAt} />
                      </Table.Td>
                      {!blocked && (
                        <Table.Td>
                          {delivery.status !== 'pending' && (
                            <Redeliver webhook={webhook} delivery={delivery} onDone={onChanged} />
                          )}
                        </Table.Td>
                      )}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} skip={query.skip} size={DELIVERIES_PAGE_SIZE} total={total} onPage={goTo} />
        </Stack>
      )}
    </ListBody>
  );
}
