import { Checkbox, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { useDialogSubmit } from '../../components/use-dialog-submit';
import { queryKeys } from '../../api/query-keys';
import { createWebhook, updateWebhook } from './webhook-api';
import {
  type CreatedWebhook,
  type Webhook,
  type WebhookForm,
  WEBHOOK_EVENTS,
  checkForm,
  chosenEvents,
  createBody,
  emptyForm,
  formChanged,
  formErrorsFromDetails,
  formFromWebhook,
  unknownEvents,
  updateBody,
} from './webhook-helpers';

/**
 * Creates a webhook endpoint, or changes one's URL and events; the server's refusals (`/url`, `/events/…`)
 * land on the fields they name. A new endpoint comes back with its signing secret, handed to `onCreated`.
 */
export function WebhookDialog({
  webhook,
  onClose,
  onCreated,
  onSaved,
}: {
  webhook: Webhook | null;
  onClose: () => void;
  onCreated: (created: CreatedWebhook) => void;
  onSaved: (webhook: Webhook) => void;
}) {
  const queryClient = useQueryClient();
  const [initial] = useState<WebhookForm>(() => (webhook ? formFromWebhook(webhook) : emptyForm()));
  const [form, setForm] = useState<WebhookForm>(initial);
  const title = webhook ? 'Edit webhook' : 'New webhook';
  const unsaved = formChanged(initial, form) ? (webhook ? `The change to ${webhook.url}` : 'The new webhook') : null;
  // Events of the endpoint this console has no description for keep a checkbox, so they stay unless unchecked.
  const [others] = useState(() => unknownEvents(webhook?.events ?? []));

  const { errors, failure, busy, submit } = useDialogSubmit({
    check: () => checkForm(form),
    send: async () => {
      if (webhook) {
        const saved = await updateWebhook(webhook.id, updateBody(form, webhook));
        await queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.all });
        onSaved(saved);
      } else {
        const created = await createWebhook(createBody(form));
        await queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.all });
        onCreated(created);
      }
    },
    fieldsOf: formErrorsFromDetails,
    fallback: 'The webhook was not saved',
  });

  const hasFieldErrors = Object.keys(errors.fields).length > 0;

  return (
    <FormDialog title={title} unsaved={unsaved} onClose={onClose} onSubmit={submit}>
      <TextInput
        label="URL"
        description="http(s); each event is POSTed here, signed (Standard Webhooks). Private and loopback addresses may be refused, depending on how the platform is configured."
        required
        type="url"
        maxLength={2048}
        spellCheck={false}
        autoComplete="off"
        placeholder="https://example.com/hooks/ymera"
        value={form.url}
        error={errors.fields.url}
        onChange={(e) => {
          const url = e.currentTarget.value;
          setForm((current) => ({ ...current, url }));
        }}
        data-autofocus
      />
      <Checkbox.Group
        label="Events"
        description="Sent when a task or a workflow run you created reaches this status"
        required
        value={form.events}
        error={errors.fields.events}
        onChange={(values) => setForm((current) => ({ ...current, events: chosenEvents(values) }))}
      >
        <div className="webhook-event-choices">
          {WEBHOOK_EVENTS.map((event) => (
            <Checkbox key={event.value} value={event.value} label={event.value} description={event.label} />
          ))}
          {others.map((event) => (
            <Checkbox key={event} value={event} label={event} description="An event this console does not describe" />
          ))}
        </div>
      </Checkbox.Group>
      <FormFooter
        notSaved="The webhook was not saved"
        failure={failure}
        hasFieldErrors={hasFieldErrors}
        busy={busy}
        submitLabel={webhook ? 'Save changes' : 'Create webhook'}
      />
    </FormDialog>
  );
}
