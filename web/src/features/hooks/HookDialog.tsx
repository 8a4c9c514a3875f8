import { Group, NumberInput, Radio, TextInput, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { queryKeys } from '../../api/query-keys';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { useDialogSubmit } from '../../components/use-dialog-submit';
import { TargetPicker } from '../workflows/TargetPicker';
import { createHook, updateHook } from './hook-api';
import {
  type CreatedHook,
  type Hook,
  type HookForm,
  checkForm,
  createBody,
  emptyForm,
  formChanged,
  formErrorsFromDetails,
  formFromHook,
  updateBody,
} from './hook-helpers';

/**
 * Creates an inbound hook (its target and kind of secret, fixed from then on), or changes one's name, input template
 * and rate limit; the server's refusals land on the fields they name. A new hook comes back with its secret.
 */
export function HookDialog({
  hook,
  onClose,
  onCreated,
  onSaved,
}: {
  hook: Hook | null;
  onClose: () => void;
  onCreated: (created: CreatedHook) => void;
  onSaved: (hook: Hook) => void;
}) {
  const queryClient = useQueryClient();
  const [initial] = useState<HookForm>(() => (hook ? formFromHook(hook) : emptyForm()));
  const [form, setForm] = useState<HookForm>(initial);
  const set = (changes: Partial<HookForm>) => setForm((current) => ({ ...current, ...changes }));
  const unsaved = formChanged(initial, form) ? (hook ? `The change to “${hook.name}”` : 'The new hook') : null;
  const { errors, failure, busy, submit } = useDialogSubmit({
    check: () => checkForm(form),
    send: async () => {
      if (hook) {
        const saved = await updateHook(hook.id, updateBody(form));
        await queryClient.invalidateQueries({ queryKey: queryKeys.hooks.all });
        onSaved(saved);
      } else {
        const created = await createHook(createBody(form));
        await queryClient.invalidateQueries({ queryKey: queryKeys.hooks.all });
        onCreated(created);
      }
    },
    fieldsOf: formErrorsFromDetails,
    fallback: 'The hook was not saved',
  });

  const fieldError = errors.fields;

  return (
    <FormDialog
      title={hook ? 'Edit inbound hook' : 'New inbound hook'}
      unsaved={unsaved}
      onClose={onClose}
      onSubmit={submit}
    >
      <TextInput
        label="Name"
        description="Who calls it, e.g. “GitHub deploys”"
        required
        maxLength={100}
        value={form.name}
        error={fieldError.name}
        onChange={(e) => set({ name: e.currentTarget.value })}
        data-autofocus
      />
      <TargetPicker label="Each call starts" value={form} error={fieldError.target} fixed={!!hook} onChange={set} />
      <Radio.Group
        label="Callers prove themselves with"
        description={hook ? 'Fixed once the hook exists' : 'The secret is shown once, when the hook is created'}
        value={form.auth}
        error={fieldError.auth}
        onChange={(value) => set({ auth: value === 'bearer' ? 'bearer' : 'hmac' })}
      >
        <Group mt={4}>
          <Radio value="hmac" label="A signature (Standard Webhooks)" disabled={!!hook} />
          <Radio value="bearer" label="A bearer token" disabled={!!hook} />
        </Group>
      </Radio.Group>
      <Textarea
        className="hook-template"
        label="Input template (JSON, optional)"
        description='The input made of each call, with "{{ body.<field> }}" for the request body’s fields; empty: the body is the input'
        autosize
        minRows={3}
        maxRows={12}
        spellCheck={false}
        value={form.inputTemplate}
        error={fieldError.inputTemplate}
        onChange={(e) => set({ inputTemplate: e.currentTarget.value })}
      />
      <NumberInput
        label="Calls per minute at most"
        description="Beyond it, callers get 429 with Retry-After"
        min={1}
        max={10_000}
        allowDecimal={false}
        value={form.rateLimitPerMinute}
        error={fieldError.rateLimitPerMinute}
        onChange={(value) => set({ rateLimitPerMinute: String(value) })}
      />
      <FormFooter
        notSaved="The hook was not saved"
        failure={failure}
        hasFieldErrors={Object.keys(fieldError).length > 0}
        busy={busy}
        submitLabel={hook ? 'Save changes' : 'Create hook'}
      />
    </FormDialog>
  );
}
