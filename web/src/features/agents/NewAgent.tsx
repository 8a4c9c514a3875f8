import { Alert, Anchor, Button, Group, Select, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import type { ErrorSchema } from '@rjsf/utils';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ErrorReference, ErrorState } from '../../components/ErrorState';
import { useFocusOnRefusal } from '../../components/focus-marked-field';
import { PageTitle } from '../../components/PageTitle';
import { useUnsavedChanges } from '../../components/UnsavedChanges';
import { useSendOnce } from '../../components/use-single-flight';
import { AGENT_NAME_RULE, agentNameProblem } from './agent-name';
import { SchemaForm, useConfigSchemaForm } from './form-parts';
import { useAgentTypes, useAgentsWriteBlocked } from './hooks';
import { agentRefusalDetails } from './agent-settings';
import { splitServerErrors } from './schema-form';

type Config = Record<string, unknown>;

/** A new agent: its type, its name, and the type's configuration as a form generated from its JSON Schema. */
export function NewAgent() {
  const types = useAgentTypes();
  const blocked = useAgentsWriteBlocked();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [type, setType] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [config, setConfig] = useState<Config>({});
  const [nameError, setNameError] = useState<string | null>(null);
  const configForm = useRef<HTMLElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const page = useRef<HTMLDivElement>(null);
  // What the last submit found wrong before sending (the form's fields and the name), shown all at once.
  const [problems, setProblems] = useState(0);
  const selected = types.data?.find((t) => t.type === type);
  const { schema, uiSchema, validator } = useConfigSchemaForm(selected?.configSchema);
  const { prompt, allowLeaving } = useUnsavedChanges(type !== null || name.trim() !== '', 'The new agent');

  const create = useMutation({
    mutationFn: async (body: { name: string; type: string; config: Config }) =>
      unwrap(await api.POST('/api/v1/agents', { body })),
    onSuccess: async (agent) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.agents.all });
      allowLeaving();
      void navigate(`/agents/${agent.id}`);
    },
  });
  const creating = useSendOnce(create);
  const apiError = create.error instanceof ApiError ? create.error : null;
  const refusedDetails = useMemo(() => agentRefusalDetails(apiError), [apiError]);
  const serverErrors = useMemo(
    () =>
      refusedDetails
        ? splitServerErrors(refusedDetails)
        : { config: {} as ErrorSchema, fields: {} as Record<string, string>, other: [] },
    [refusedDetails],
  );
  const onFields = refusedDetails !== null && serverErrors.other.length === 0;
  // The server's refusal of fields (the name, the type or the configuration's) focuses the first it marks.
  useFocusOnRefusal(page, refusedDetails);

  return (
    <Stack maw={640} ref={page}>
      {prompt}
      <Anchor component={Link} to="/agents" size="sm">
        ← Agents
      </Anchor>
      <PageTitle>New agent</PageTitle>
      {blocked ? (
        // Nothing to fill in for someone who may not create agents: the reason, and where to go instead.
        <Alert color="yellow" title="Read only">
          {blocked}. The{' '}
          <Anchor component={Link} to="/agents">
            agents
          </Anchor>{' '}
          and their configurations can be read.
        </Alert>
      ) : types.isPending ? (
        <Skeleton role="progressbar" height={120} aria-busy="true" aria-label="Loading agent types" />
      ) : types.isError ? (
        <ErrorState title="Could not load agent types" error={types.error} onRetry={() => void types.refetch()} />
      ) : (
        <>
          <Select
            label="Type"
            placeholder="Pick a type"
            required
            data={types.data.map((t) => ({ value: t.type, label: t.type }))}
            value={type}
            onChange={(value) => {
              setType(value);
              setConfig({});
              setProblems(0);
              create.reset();
            }}
            description={selected?.description}
            error={serverErrors.fields['/type']}
          />
          <TextInput
            label="Name"
            required
            description={AGENT_NAME_RULE}
            ref={nameInput}
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
              setNameError(null);
            }}
            error={nameError ?? serverErrors.fields['/name']}
            // The field is outside the configuration's form: Enter submits it, as in any of its fields.
            onKeyDown={(e) => {
              if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
              e.preventDefault();
              configForm.current?.querySelector('form')?.requestSubmit();
            }}
          />
          {schema && selected && (
            <section ref={configForm} aria-label="Configuration" className="agent-config-form schema-form">
              <Text fw={600} mb="xs">
                Configuration
              </Text>
              <SchemaForm
                key={selected.type}
                schema={schema}
                uiSchema={uiSchema}
                formData={config}
                validator={validator}
                idPrefix="config"
                extraErrors={serverErrors.config}
                onChange={(event) => setConfig((event.formData ?? {}) as Config)}
                // The config has errors (now on their fields, the first focused): the name's, if any, are shown
                // with them, and the name, above them on the page, is focused instead.
                onError={(errors) => {
                  const problem = agentNameProblem(name);
                  setNameError(problem);
                  setProblems(errors.length + (problem ? 1 : 0));
                  if (problem) nameInput.current?.focus();
                }}
                onSubmit={(event) => {
                  const problem = agentNameProblem(name);
                  setNameError(problem);
                  setProblems(problem ? 1 : 0);
                  if (problem) nameInput.current?.focus();
                  if (!type || problem) return;
                  creating.send({ name: name.trim(), type, config: (event.formData ?? {}) as Config });
                }}
              >
                {problems > 0 && (
                  <Text c="red" size="sm" role="alert" mb="md">
                    {problems === 1 ? 'One value needs' : `${problems} values need`} fixing; see the fields marked
                    above.
                  </Text>
                )}
                {problems === 0 && create.isError && !onFields && (
                  <Alert color="red" title="The agent was not created" role="alert" mb="md">
                    <Text size="sm">{create.error.message}</Text>
                    {serverErrors.other.map((message) => (
                      <Text size="sm" key={message}>
                        {message}
                      </Text>
                    ))}
                    <ErrorReference error={create.error} />
                  </Alert>
                )}
                {problems === 0 && onFields && (
                  <Text c="red" size="sm" role="alert" mb="md">
                    The server refused some values; see the fields marked above.
                  </Text>
                )}
                <Group>
                  <Button type="submit" loading={creating.busy}>
                    Create agent
                  </Button>
                  <Button variant="default" component={Link} to="/agents">
                    Cancel
                  </Button>
                </Group>
              </SchemaForm>
            </section>
          )}
        </>
      )}
    </Stack>
  );
}
