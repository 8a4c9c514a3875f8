import { Group, NativeSelect, NumberInput, Radio, TextInput, Textarea } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { allAgentsQuery, workflowListQuery } from '../workflows/workflow-api';
import { createHook, updateHook } from './hook-api';
import {
  type CreatedHook,
  type FormErrors,
  type Hook,
  type HookForm,
  checkForm,
  createBody,
  emptyForm,
  formErrorsFromDetails,
  formFromHook,
  updateBody,
} from './hook-helpers';

const NO_ERRORS: FormErrors = { fields: {}, other: [] };

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
  const agents = useQuery(allAgentsQuery());
  const workflows = useQuery(workflowListQuery({ skip: 0, limit: 1000 }));
  const [form, setForm] = useState<HookForm>(() => (hook ? formFromHook(hook) : emptyForm()));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (changes: Partial<HookForm>) => setForm((current) => ({ ...current, ...changes }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const local = checkForm(form);
    if (Object.keys(local.fields).length > 0) {
      setErrors(local);
      return;
    }
    setErrors(NO_ERRORS);
    setBusy(true);
    try {
      if (hook) {
        const saved = await updateHook(hook.id, updateBody(form));
        await queryClient.invalidateQueries({ queryKey: queryKeys.hooks.all });
        onSaved(saved);
      } else {
        const created = await createHook(createBody(form));
        await queryClient.invalidateQueries({ queryKey: queryKeys.hooks.all });
        onCreated(created);
      }
    } catch (err) {
      if (err instanceof ApiError && err.details.length) {
        const found = formErrorsFromDetails(err.details);
        setErrors(found);
        if (found.other.length) setFailure(`${err.message}: ${found.other.join('; ')}`);
      } else {
        setFailure(err instanceof Error ? err.message : 'The hook was not saved');
      }
    } finally {
      setBusy(false);
    }
  };

  const targetOptions =
    form.kind === 'agent'
      ? (agents.data?.items ?? []).map((a) => ({ value: a.id, label: `${a.name} (${a.type})` }))
      : (workflows.data?.items ?? []).map((w) => ({ value: w.id, label: w.name }));
  const targetLoading = form.kind === 'agent' ? agents.isPending : workflows.isPending;
  const fieldError = errors.fields;

  return (
    <FormDialog title={hook ? 'Edit inbound hook' : 'New inbound hook'} onClose={onClose} onSubmit={submit}>
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
      <Radio.Group
        label="Each call starts"
        description={hook ? 'Fixed once the hook exists: a new hook changes it' : undefined}
        value={form.kind}
        onChange={(value) => set({ kind: value === 'workflow' ? 'workflow' : 'agent' })}
      >
        <Group mt={4}>
          <Radio value="agent" label="A task of an agent" disabled={!!hook} />
          <Radio value="workflow" label="A run of a workflow" disabled={!!hook} />
        </Group>
      </Radio.Group>
      <NativeSelect
        label={form.kind === 'agent' ? 'Agent' : 'Workflow'}
        required
        disabled={!!hook || targetLoading}
        value={form.kind === 'agent' ? form.agentId : form.workflowId}
        error={fieldError.target}
        onChange={(e) =>
          set(form.kind === 'agent' ? { agentId: e.currentTarget.value } : { workflowId: e.currentTarget.value })
        }
        data={[
          {
            value: '',
            label: targetLoading ? 'Loading…' : `Choose ${form.kind === 'agent' ? 'an agent' : 'a workflow'}`,
          },
          ...targetOptions,
        ]}
      />
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
        onCancel={onClose}
      />
    </FormDialog>
  );
}
