import { Group, NumberInput, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { GuardedButton } from '../../components/DisabledButton';
import { ErrorState } from '../../components/ErrorState';
import { useFocusMarkedField, useFocusOnRefusal } from '../../components/focus-marked-field';
import { useUnsavedChanges } from '../../components/UnsavedChanges';
import { useSendOnce } from '../../components/use-single-flight';
import type { components } from '../../api/schema';
import { AGENT_NAME_RULE } from './agent-name';
import {
  type Problems,
  agentRefusalDetails,
  draftChanged,
  type SettingsChange,
  type SettingsDraft,
  settingsChange,
  settingsDraft,
  settingsRefusal,
} from './agent-settings';

type Agent = components['schemas']['AgentDto'];

/** The agent's name, description, limits and timeout: each change saved together, only what changed sent. */
export function AgentSettings({ agent, blocked }: { agent: Agent; blocked: string | null }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<SettingsDraft>(() => settingsDraft(agent));
  const [problems, setProblems] = useState<Problems>({});
  const save = useMutation({
    mutationFn: async (change: SettingsChange) =>
      unwrap(await api.PATCH('/api/v1/agents/{id}', { params: { path: { id: agent.id } }, body: change })),
    onSuccess: async (updated) => {
      queryClient.setQueryData(queryKeys.agents.detail(agent.id), updated);
      setDraft(settingsDraft(updated));
      await queryClient.invalidateQueries({ queryKey: queryKeys.agents.all });
    },
  });
  const saving = useSendOnce(save);
  const refusal = save.error instanceof ApiError ? save.error : null;
  // The server's refusal of a field lands on that field; anything else is said below the form.
  const refusedDetails = agentRefusalDetails(refusal);
  const refused = refusedDetails ? settingsRefusal(refusedDetails) : { fields: {} as Problems, other: [] };
  const onFields = refusedDetails !== null && refused.other.length === 0;
  const form = useRef<HTMLFormElement>(null);
  useFocusOnRefusal(form, refusedDetails);
  const marked = useFocusMarkedField();
  const errorOf = (field: keyof SettingsDraft) => problems[field] ?? refused.fields[field];
  const unchanged = !draftChanged(agent, draft);
  const { prompt } = useUnsavedChanges(!unchanged && !blocked, 'The change to the settings');
  const edit =
    <K extends keyof SettingsDraft>(key: K) =>
    (value: SettingsDraft[K]) => {
      setDraft((d) => ({ ...d, [key]: value }));
      setProblems(({ [key]: _, ...rest }: Problems) => rest);
      save.reset();
    };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = settingsChange(agent, draft);
    setProblems(found.problems);
    marked.stop();
    if (Object.keys(found.problems).length > 0) marked.focus(() => form.current);
    else if (Object.keys(found.change).length > 0) saving.send(found.change);
  };
  const disabled = Boolean(blocked);

  return (
    <form ref={form} onSubmit={submit} noValidate aria-label="Settings">
      {prompt}
      <Stack gap="xs" maw={640}>
        <Title order={2} size="h3">
          Settings
        </Title>
        {blocked && <Text size="sm">{blocked}.</Text>}
        <TextInput
          label="Name"
          required
          description={AGENT_NAME_RULE}
          value={draft.name}
          onChange={(e) => edit('name')(e.currentTarget.value)}
          error={errorOf('name')}
          disabled={disabled}
        />
        <Textarea
          label="Description"
          autosize
          minRows={1}
          value={draft.description}
          onChange={(e) => edit('description')(e.currentTarget.value)}
          error={errorOf('description')}
          disabled={disabled}
        />
        <Group align="flex-start" grow>
          <NumberInput
            label="Concurrency"
            description="Tasks of this agent running at once"
            min={1}
            max={1000}
            allowDecimal={false}
            value={draft.concurrency}
            onChange={edit('concurrency')}
            error={errorOf('concurrency')}
            disabled={disabled}
          />
          <NumberInput
            label="Limit per key"
            description="Per concurrency key; empty for none"
            min={1}
            max={1000}
            allowDecimal={false}
            value={draft.concurrencyPerKey}
            onChange={edit('concurrencyPerKey')}
            error={errorOf('concurrencyPerKey')}
            disabled={disabled}
          />
          <NumberInput
            label="Timeout (seconds)"
            description="An attempt running longer fails"
            min={0.1}
            max={3600}
            decimalScale={3}
            value={draft.timeoutSeconds}
            onChange={edit('timeoutSeconds')}
            error={errorOf('timeoutSeconds')}
            disabled={disabled}
          />
        </Group>
        {save.isError && !onFields && (
          <ErrorState title="The settings were not saved" error={save.error} details={refused.other} />
        )}
        <Group>
          {/* Unavailable, not `disabled`, while nothing is changed: a save leaves focus on it, not on the page. */}
          <GuardedButton
            type="submit"
            variant="default"
            label="Save settings"
            reason={blocked ?? (unchanged ? 'No setting is changed' : null)}
            loading={saving.busy}
          />
          {save.isSuccess && unchanged && (
            <Text size="sm" role="status">
              Saved.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}
