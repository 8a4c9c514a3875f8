import { Group, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys';
import { RowActions } from '../../components/RowActions';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { deleteWebhook, deliveriesQuery, updateWebhook } from './webhook-api';
import { type Webhook, describeResponse, disabledWhy, endpointState, failingInWords } from './webhook-helpers';

/** Enabled green, failing amber, disabled red, always with the word; a disabled one says why. */
export function EndpointStatus({ webhook }: { webhook: Webhook }) {
  const state = endpointState(webhook);
  const why = disabledWhy(webhook);
  return (
    <Stack gap={2}>
      <span className="state-pill" data-status={state}>
        {state}
      </span>
      {why && (
        <Text size="xs" c="dimmed">
          {why}
        </Text>
      )}
      {state === 'failing' && (
        <Text size="xs" c="dimmed">
          {webhook.failingSince && (
            <>
              Failing since <TimeAgo value={webhook.failingSince} />;{' '}
            </>
          )}
          {failingInWords(webhook)}
        </Text>
      )}
    </Stack>
  );
}

/** The newest delivery's status, response code and time, or that there has been none. */
export function LastDelivery({ id }: { id: string }) {
  const last = useQuery(deliveriesQuery(id, { skip: 0, limit: 1 }));
  if (last.isPending)
    return (
      <Text role="progressbar" size="sm" c="dimmed" span aria-label="Loading the last delivery">
        …
      </Text>
    );
  if (last.isError)
    return (
      <Text size="sm" c="red.8" span>
        not available ({last.error.message})
      </Text>
    );
  const delivery = last.data.items[0];
  if (!delivery) {
    return (
      <Text size="sm" c="dimmed" span>
        none yet
      </Text>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      <StatusBadge status={delivery.status} />
      {delivery.attempts > 0 && (
        <Text size="sm" span>
          {describeResponse(delivery.responseCode)}
        </Text>
      )}
      <TimeAgo value={delivery.updatedAt} />
    </Group>
  );
}

/** Enable or disable, edit and delete (which asks once, naming the endpoint); for `webhooks:write` only. */
export function WebhookActions({
  webhook,
  onEdit,
  onChanged,
  onDeleted,
}: {
  webhook: Webhook;
  onEdit: (webhook: Webhook) => void;
  onChanged: (message: string) => void;
  /** After a delete, with what to say (the list says it itself). */
  onDeleted?: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const setEnabled = async (enabled: boolean) => {
    const saved = await updateWebhook(webhook.id, { enabled });
    queryClient.setQueryData(queryKeys.webhooks.detail(webhook.id), saved);
    await queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.all });
    onChanged(
      enabled
        ? `Enabled ${webhook.url}: it receives events again (its failure record is cleared).`
        : `Disabled ${webhook.url}: it receives no events until enabled.`,
    );
  };

  const remove = async () => {
    await deleteWebhook(webhook.id);
    queryClient.removeQueries({ queryKey: queryKeys.webhooks.detail(webhook.id) });
    await queryClient.invalidateQueries({ queryKey: [...queryKeys.webhooks.all, 'list'] });
    const message = `Deleted the webhook to ${webhook.url}, with its delivery log.`;
    if (onDeleted) onDeleted(message);
    else onChanged(message);
  };

  return (
    <RowActions
      name={webhook.url}
      toggleLabel={webhook.enabled ? 'Disable' : 'Enable'}
      onToggle={() => setEnabled(!webhook.enabled)}
      onEdit={() => onEdit(webhook)}
      confirmDelete="Delete the webhook"
      consequence={`The webhook to ${webhook.url} is deleted with its delivery log; pending deliveries are not sent.`}
      onDelete={remove}
    />
  );
}
