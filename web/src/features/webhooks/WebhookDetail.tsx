import { Anchor, Code, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorState } from '../../components/ErrorState';
import { Notice } from '../../components/Notice';
import { PageTitle } from '../../components/PageTitle';
import { TimeAgo } from '../../components/TimeAgo';
import { DeliveryLog } from './DeliveryLog';
import { WebhookDialog } from './WebhookDialog';
import { useWebhooksWriteBlocked, webhookQuery } from './webhook-api';
import type { Webhook } from './webhook-helpers';
import { EndpointStatus, WebhookActions } from './WebhookParts';

/** `/webhooks/:id`: one endpoint, what it receives, whether it is enabled, and its delivery log. */
export function WebhookDetail() {
  const { id = '' } = useParams();
  const webhook = useQuery(webhookQuery(id));
  return (
    <Stack>
      <Anchor component={Link} to="/webhooks" size="sm">
        ← Webhooks
      </Anchor>
      {webhook.isPending ? (
        <>
          <PageTitle>Webhook</PageTitle>
          <Stack role="progressbar" aria-busy="true" aria-label="Loading the webhook">
            <Skeleton height={32} />
            <Skeleton height={120} />
          </Stack>
        </>
      ) : webhook.isError ? (
        <>
          <PageTitle>Webhook</PageTitle>
          <ErrorState title="Could not load the webhook" error={webhook.error} onRetry={() => void webhook.refetch()} />
        </>
      ) : (
        <WebhookView webhook={webhook.data} />
      )}
    </Stack>
  );
}

function WebhookView({ webhook }: { webhook: Webhook }) {
  const blocked = useWebhooksWriteBlocked();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <PageTitle>{`Webhook to ${hostOf(webhook.url)}`}</PageTitle>
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap="xs">
            <Text className="webhook-url">
              <Text span fw={600}>
                URL{' '}
              </Text>
              {webhook.url}
            </Text>
            <Text size="sm">
              Events <Code>{webhook.events.join(', ')}</Code>
            </Text>
            <EndpointStatus webhook={webhook} />
            <Text size="sm" c="dimmed">
              Created <TimeAgo value={webhook.createdAt} /> · changed <TimeAgo value={webhook.updatedAt} />
            </Text>
            <Text size="xs" c="dimmed">
              ID <Code>{webhook.id}</Code>
            </Text>
          </Stack>
          {blocked ? (
            <Text size="sm" c="dimmed" maw={260}>
              Changing this webhook and redelivering need the webhooks:write permission.
            </Text>
          ) : (
            <WebhookActions
              webhook={webhook}
              onEdit={() => setEditing(true)}
              onChanged={setNotice}
              onDeleted={(message) => void navigate('/webhooks', { state: { notice: message } })}
            />
          )}
        </Group>
      </Paper>
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      <section aria-labelledby="deliveries-heading">
        <Title order={2} size="h4" id="deliveries-heading" mb="sm">
          Deliveries
        </Title>
        <DeliveryLog webhook={webhook} onChanged={setNotice} />
      </section>
      {editing && (
        <WebhookDialog
          webhook={webhook}
          onClose={() => setEditing(false)}
          onCreated={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            setNotice(`Saved the webhook to ${saved.url}.`);
          }}
        />
      )}
    </>
  );
}

/** The host a URL names, or the URL itself when it cannot be read. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
