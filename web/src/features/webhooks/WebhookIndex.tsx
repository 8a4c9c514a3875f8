import { Button, Group, Stack, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import { useLocation } from 'react-router';
import { noticeOf } from '../../components/NavigationNotice';
import { Notice } from '../../components/Notice';
import { PageTitle } from '../../components/PageTitle';
import { WebhookDialog } from './WebhookDialog';
import { WebhookList } from './WebhookList';
import { WebhookSecretBox } from './WebhookSecretBox';
import { useWebhooksWriteBlocked } from './webhook-api';
import type { CreatedWebhook, Webhook } from './webhook-helpers';

type Editing = { mode: 'create' } | { mode: 'edit'; webhook: Webhook } | null;

/** `/webhooks`: where the platform sends signed events when tasks and runs conclude, and how that went. */
export function WebhookIndex() {
  const blocked = useWebhooksWriteBlocked();
  const [editing, setEditing] = useState<Editing>(null);
  // The secret of the endpoint just created: in this state only, gone with "Done" or on leaving the page.
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  // What the endpoint's page did before coming back here (a delete).
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>(() => noticeOf(location.state));
  const createButton = useRef<HTMLButtonElement>(null);

  const startCreating = () => {
    setCreated(null);
    setNotice(null);
    setEditing({ mode: 'create' });
  };

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Webhooks</PageTitle>
        {blocked ? (
          <Text size="sm" c="dimmed" maw={320}>
            Adding, changing and deleting webhooks needs the webhooks:write permission.
          </Text>
        ) : (
          <Button ref={createButton} onClick={startCreating}>
            New webhook
          </Button>
        )}
      </Group>
      <Text maw={760}>
        A webhook sends a signed POST (Standard Webhooks) to your URL when a task or a workflow run you created
        succeeds, fails or is cancelled. Failed deliveries are retried; an endpoint that keeps failing is disabled, and
        says why.
      </Text>
      {created && (
        <WebhookSecretBox
          created={created}
          onDone={() => {
            setCreated(null);
            setTimeout(() => createButton.current?.focus());
          }}
        />
      )}
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      <WebhookList
        emptyAction={
          blocked ? null : (
            <Button variant="default" onClick={startCreating}>
              Add a webhook
            </Button>
          )
        }
        onEdit={(webhook) => {
          setNotice(null);
          setEditing({ mode: 'edit', webhook });
        }}
        onChanged={(message) => setNotice(message)}
      />
      {editing && (
        <WebhookDialog
          webhook={editing.mode === 'edit' ? editing.webhook : null}
          onClose={() => {
            setEditing(null);
            setTimeout(() => createButton.current?.focus());
          }}
          onCreated={(webhook) => {
            setEditing(null);
            setNotice(null);
            setCreated(webhook);
          }}
          onSaved={(webhook) => {
            setEditing(null);
            setNotice(`Saved the webhook to ${webhook.url}.`);
          }}
        />
      )}
    </Stack>
  );
}
