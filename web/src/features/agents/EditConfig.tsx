import { Button, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { ErrorSchema } from '@rjsf/utils';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { DisabledButton } from '../../components/DisabledButton';
import { ErrorState } from '../../components/ErrorState';
import { firstField, useFocusOnRefusal } from '../../components/focus-marked-field';
import { JsonView } from '../../components/JsonView';
import { useUnsavedChanges } from '../../components/UnsavedChanges';
import { useSendOnce } from '../../components/use-single-flight';
import type { components } from '../../api/schema';
import { SECRET_MASK } from './csp-validator';
import { SchemaForm, useConfigSchemaForm } from './form-parts';
import { useAgentTypes } from './hooks';
import { splitServerErrors } from './schema-form';

type Agent = components['schemas']['AgentDto'];
type Config = Record<string, unknown>;

/**
 * The live configuration, and a form from the type's JSON Schema to replace it: saved as a new version, live
 * for the agent's next task. Secrets come masked and are kept as they are unless typed anew.
 */
export function EditConfig({ agent, blocked }: { agent: Agent; blocked: string | null }) {
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<number | null>(null);
  // The editor closed (saved or cancelled) takes the focus with it: it goes back to "Edit configuration".
  const editButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (editing || !refocus.current) return;
    refocus.current = false;
    editButton.current?.focus();
  }, [editing]);
  return (
    <Stack gap="xs" maw={640}>
      <Title order={2} size="h3">
        Configuration
      </Title>
      {editing ? (
        <ConfigForm
          agent={agent}
          onDone={(version) => {
            refocus.current = true;
            setEditing(false);
            setSaved(version);
          }}
        />
      ) : (
        <>
          <JsonView label={`Configuration (version ${agent.configVersion}; secrets masked)`} value={agent.config} />
          <Group>
            {blocked ? (
              <DisabledButton variant="default" label="Edit configuration" reason={blocked} />
            ) : (
              <Button
                ref={editButton}
                variant="default"
                onClick={() => {
                  setSaved(null);
                  setEditing(true);
                }}
              >
                Edit configuration
              </Button>
            )}
            {saved !== null && (
              <Text size="sm" role="status">
                Saved as version {saved}; the agent’s next task uses it.
              </Text>
            )}
          </Group>
        </>
      )}
    </Stack>
  );
}

function ConfigForm({ agent, onDone }: { agent: Agent; onDone: (version: number | null) => void }) {
  const queryClient = useQueryClient();
  const types = useAgentTypes();
  const configSchema = types.data?.find((t) => t.type === agent.type)?.configSchema;
  const { schema, uiSchema, validator } = useConfigSchemaForm(configSchema, true);
  const [config, setConfig] = useState<Config>(agent.config);
  // Whether the form differs from the saved config: compared when it changes, not on every render.
  const savedJson = useMemo(() => JSON.stringify(agent.config), [agent.config]);
  const [dirty, setDirty] = useState(false);
  // How many values the last submit found wrong before sending (each shown on its field).
  const [problems, setProblems] = useState(0);
  const { prompt } = useUnsavedChanges(dirty, 'The change to the configuration');

  const save = useMutation({
    mutationFn: async (body: { config: Config }) =>
      unwrap(await api.POST('/api/v1/agents/{id}/config', { params: { path: { id: agent.id } }, body })),
    onSuccess: async (version) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.agents.detail(agent.id) });
      onDone(version.version);
    },
  });
  const saving = useSendOnce(save);
  const refusal = save.error instanceof ApiError && save.error.code === 'VALIDATION_FAILED' ? save.error : null;
  const refused = useMemo(
    () => (refusal ? splitServerErrors(refusal.details) : { config: {} as ErrorSchema, other: [] as string[] }),
    [refusal],
  );
  const section = useRef<HTMLElement>(null);
  useFocusOnRefusal(section, refusal);
  // Opened, the editor takes the focus from the button that opened it (gone with it): its first field.
  const ready = Boolean(schema) && types.isSuccess;
  useEffect(() => {
    if (ready) firstField(section.current)?.focus();
  }, [ready]);

  if (types.isPending)
    return <Skeleton role="progressbar" height={120} aria-busy="true" aria-label="Loading the configuration form" />;
  if (types.isError)
    return <ErrorState title="Could not load agent types" error={types.error} onRetry={() => void types.refetch()} />;
  if (!schema) return <ErrorState title="This agent’s type is not known to the server" error={null} />;

  return (
    <section ref={section} aria-label="Edit configuration" className="agent-config-form schema-form">
      {prompt}
      <Text size="sm" c="dimmed" mb="xs">
        Secrets show as {SECRET_MASK} and are kept unless you type a new one; with a new target address each must be
        typed again.
      </Text>
      <SchemaForm
        schema={schema}
        uiSchema={uiSchema}
        formData={config}
        validator={validator}
        idPrefix="config"
        extraErrors={refused.config}
        onChange={(event) => {
          const next = (event.formData ?? {}) as Config;
          setConfig(next);
          setDirty(JSON.stringify(next) !== savedJson);
        }}
        onError={(errors) => setProblems(errors.length)}
        onSubmit={(event) => {
          setProblems(0);
          saving.send({ config: (event.formData ?? {}) as Config });
        }}
      >
        {problems > 0 && (
          <Text c="red" size="sm" role="alert" mb="md">
            {problems === 1 ? 'One value needs' : `${problems} values need`} fixing; see the fields marked above.
          </Text>
        )}
        {problems === 0 && save.isError && (refusal === null || refused.other.length > 0) && (
          <ErrorState title="The configuration was not saved" error={save.error} details={refused.other} />
        )}
        {problems === 0 && refusal && refused.other.length === 0 && (
          <Text c="red" size="sm" role="alert" mb="md">
            The server refused some values; see the fields marked above.
          </Text>
        )}
        <Group mt="md">
          <Button type="submit" loading={saving.busy}>
            Save configuration
          </Button>
          <Button variant="default" onClick={() => onDone(null)}>
            Cancel
          </Button>
        </Group>
      </SchemaForm>
    </section>
  );
}
