import { Alert, Anchor, Button, Code, Group, Select, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import Form from '@rjsf/core';
import type { ErrorSchema } from '@rjsf/utils';
import { createCspSafeValidator } from './csp-validator';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';
import { useAgentTypes, useAgentsWriteBlocked } from './hooks';
import { asFormSchema, secretUiSchema, splitServerErrors } from './schema-form';

type Config = Record<string, unknown>;

const validator = createCspSafeValidator();

/** A new agent: its type, its name, and the type's configuration as a form generated from its JSON Schema. */
export function NewAgent() {
  const types = useAgentTypes();
  const blocked = useAgentsWriteBlocked();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [type, setType] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [config, setConfig] = useState<Config>({});
  const selected = types.data?.find((t) => t.type === type);
  const schema = useMemo(() => (selected ? asFormSchema(selected.configSchema) : null), [selected]);
  const uiSchema = useMemo(() => (selected ? secretUiSchema(selected.configSchema) : {}), [selected]);

  const create = useMutation({
    mutationFn: async (body: { name: string; type: string; config: Config }) =>
      unwrap(await api.POST('/api/v1/agents', { body })),
    onSuccess: async (agent) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.agents.all });
      void navigate(`/agents/${agent.id}`);
    },
  });
  const apiError = create.error instanceof ApiError ? create.error : null;
  const serverErrors = useMemo(
    () =>
      apiError?.code === 'VALIDATION_FAILED'
        ? splitServerErrors(apiError.details)
        : { config: {} as ErrorSchema, fields: {} as Record<string, string>, other: [] },
    [apiError],
  );
  const onFields = apiError?.code === 'VALIDATION_FAILED' && serverErrors.other.length === 0;

  return (
    <Stack maw={640}>
      <Anchor component={Link} to="/agents" size="sm">
        ← Agents
      </Anchor>
      <PageTitle>New agent</PageTitle>
      {blocked && (
        <Alert color="yellow" title="Read only">
          {blocked}.
        </Alert>
      )}
      {types.isPending ? (
        <Skeleton height={120} aria-busy="true" aria-label="Loading agent types" />
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
              create.reset();
            }}
            description={selected?.description}
            error={serverErrors.fields['/type']}
          />
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={serverErrors.fields['/name']}
          />
          {schema && selected && (
            <section aria-label="Configuration" className="agent-config-form">
              <Text fw={600} mb="xs">
                Configuration
              </Text>
              <Form
                key={selected.type}
                schema={schema}
                uiSchema={uiSchema}
                formData={config}
                validator={validator}
                idPrefix="config"
                noValidate
                noHtml5Validate
                showErrorList={false}
                extraErrors={serverErrors.config}
                onChange={(event) => setConfig((event.formData ?? {}) as Config)}
                onSubmit={(event) => {
                  if (!type) return;
                  create.mutate({ name: name.trim(), type, config: (event.formData ?? {}) as Config });
                }}
              >
                {create.isError && !onFields && (
                  <Alert color="red" title="The agent was not created" role="alert" mb="md">
                    <Text size="sm">{create.error.message}</Text>
                    {serverErrors.other.map((message) => (
                      <Text size="sm" key={message}>
                        {message}
                      </Text>
                    ))}
                    {apiError && (
                      <Text size="xs">
                        Code <Code>{apiError.code}</Code>
                        {apiError.requestId && (
                          <>
                            {' '}
                            · request <Code>{apiError.requestId}</Code>
                          </>
                        )}
                      </Text>
                    )}
                  </Alert>
                )}
                {onFields && (
                  <Text c="red" size="sm" role="alert" mb="md">
                    The server refused some values; see the fields marked above.
                  </Text>
                )}
                <Group>
                  <Button type="submit" loading={create.isPending} disabled={Boolean(blocked)}>
                    Create agent
                  </Button>
                  <Button variant="default" component={Link} to="/agents">
                    Cancel
                  </Button>
                </Group>
              </Form>
            </section>
          )}
        </>
      )}
    </Stack>
  );
}
