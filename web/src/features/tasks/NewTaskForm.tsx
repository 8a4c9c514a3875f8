import { Alert, Anchor, Button, Group, NativeSelect, Paper, Skeleton, Stack, Text, Textarea } from '@mantine/core';
import type { ErrorSchema } from '@rjsf/utils';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ErrorState } from '../../components/ErrorState';
import { useFocusMarkedField, useFocusOnRefusal } from '../../components/focus-marked-field';
import { NotPermitted } from '../../components/NeedsPermission';
import { PageTitle } from '../../components/PageTitle';
import { TextWithCode } from '../../components/TextWithCode';
import { useDraftKeeping, useKeptDraft } from '../../app/drafts';
import { useMe } from '../../app/session';
import { createCspSafeValidator } from '../agents/csp-validator';
import { SchemaForm } from '../agents/form-parts';
import { asFormSchema, secretUiSchema } from '../agents/schema-form';
import { inputSkeleton, inputWays } from '../agents/schema-shapes';
import { TaskOptions } from './TaskOptions';
import { type Task, agentTypesQuery, agentsQuery, fieldErrors } from './task-api';
import { TASK_DRAFT_KEY, emptyTaskDraft, parseTaskDraft, taskDraftText } from './task-draft';
import { type OptionProblems, optionErrors, optionProblems, optionsBody } from './task-options';

type Input = Task['input'];

/** A schema rjsf can render as fields: an object with properties. Anything else is typed in as JSON. */
function isFormSchema(schema: Record<string, unknown> | undefined): boolean {
  return !!schema && schema.type === 'object' && typeof schema.properties === 'object';
}

export function NewTaskForm() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [search] = useSearchParams();
  const agents = useQuery(agentsQuery());
  const types = useQuery(agentTypesQuery());
  // The agent and input left unsent when the session ended come back after signing in again.
  const [initial] = useState(() => emptyTaskDraft(search.get('agent') ?? ''));
  const initialText = taskDraftText(initial);
  const kept = useKeptDraft(me.id, TASK_DRAFT_KEY, initialText, '');
  const [start] = useState(() => parseTaskDraft(kept.start, initial));
  const [agentId, setAgentId] = useState(start.agentId);
  const [formData, setFormData] = useState<Record<string, unknown>>(start.formData);
  /** What was typed as JSON; until then, the agent type's required fields, empty ({@link inputSkeleton}). */
  const [typed, setTyped] = useState<string | null>(start.typed);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [extraErrors, setExtraErrors] = useState<ErrorSchema | undefined>();
  const [agentError, setAgentError] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ error: unknown; messages: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [options, setOptions] = useState(start.options);
  const draft = taskDraftText({ agentId, formData, typed, options });
  useDraftKeeping(TASK_DRAFT_KEY, draft !== initialText ? draft : null, '');
  const [optionIssues, setOptionIssues] = useState<OptionProblems>({});
  // A refusal of fields (the agent, the input's, the options') focuses the first it marks.
  const formBox = useRef<HTMLDivElement>(null);
  useFocusOnRefusal(formBox, failure);
  const marked = useFocusMarkedField();

  const agent = agents.data?.find((a) => a.id === agentId);
  const schema = types.data?.find((t) => t.type === agent?.type)?.inputSchema;
  const formSchema = isFormSchema(schema);
  // As on the New agent page: references only the server can resolve (`ymera:condition`) are relaxed.
  const rjsfSchema = useMemo(() => (schema && formSchema ? asFormSchema(schema) : null), [schema, formSchema]);
  const uiSchema = useMemo(() => (schema && formSchema ? secretUiSchema(schema) : {}), [schema, formSchema]);
  // The input is checked against the type's input schema as the server has it: every problem shows at once.
  const validator = useMemo(() => createCspSafeValidator(schema), [schema]);
  // Typed in as JSON: it starts with the fields the agent's type requires.
  const json = useMemo(() => typed ?? JSON.stringify(inputSkeleton(schema), null, 2), [typed, schema]);

  if (!me.permissions.includes('tasks:write')) {
    return (
      <NotPermitted page="New task" title="Not allowed" color="gray">
        Creating tasks needs the tasks:write permission.
      </NotPermitted>
    );
  }

  const submit = async (input: Input) => {
    marked.stop();
    setFailure(null);
    setExtraErrors(undefined);
    setAgentError(null);
    const before = optionProblems(options);
    setOptionIssues(before);
    if (Object.keys(before).length) {
      marked.focus(() => formBox.current);
      return;
    }
    setBusy(true);
    try {
      const task = unwrap(await api.POST('/api/v1/tasks', { body: { agentId, input, ...optionsBody(options) } }));
      queryClient.setQueryData(queryKeys.tasks.detail(task.id), task);
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.tasks.all, 'list'] });
      void navigate(`/tasks/${task.id}`);
    } catch (err) {
      const { fields: onOptions, rest: details } = optionErrors(err instanceof ApiError ? err.details : []);
      setOptionIssues(onOptions);
      const agentDetails = details.filter((d) => d.field === '/agentId');
      if (agentDetails.length) setAgentError(agentDetails.map((d) => d.message).join('; '));
      const { input: inputErrors, other } = fieldErrors(details.filter((d) => d.field !== '/agentId'));
      if (Object.keys(inputErrors).length) {
        if (formSchema) setExtraErrors(inputErrors as ErrorSchema);
        else other.push(...details.filter((d) => d.field?.startsWith('/input')).map((d) => `${d.field}: ${d.message}`));
      }
      setFailure({ error: err, messages: other });
    } finally {
      setBusy(false);
    }
  };

  const submitJson = (event: FormEvent) => {
    event.preventDefault();
    try {
      setJsonError(null);
      void submit(JSON.parse(json) as Input);
    } catch {
      setJsonError('Not valid JSON');
    }
  };

  const optionsField = <TaskOptions value={options} problems={optionIssues} disabled={busy} onChange={setOptions} />;

  return (
    <Stack maw={720}>
      <Anchor component={Link} to="/tasks" size="sm">
        ← All tasks
      </Anchor>
      <PageTitle>New task</PageTitle>
      {kept.restored && (
        <Alert color="blue" title="Unsaved changes restored">
          Your session ended before this task was sent. Its agent and input are back: submit it, or leave the page to
          discard them.
        </Alert>
      )}
      {agents.isPending || types.isPending ? (
        <Skeleton role="progressbar" height={120} aria-label="Loading agents" />
      ) : agents.isError || types.isError ? (
        <ErrorState title="Could not load the agents" error={agents.error ?? types.error} />
      ) : agents.data.length === 0 ? (
        <Alert color="gray" title="No agents yet">
          A task runs an agent: create one on the{' '}
          <Anchor component={Link} to="/agents">
            Agents
          </Anchor>{' '}
          page first.
        </Alert>
      ) : (
        <Paper withBorder p="md" radius="md" ref={formBox}>
          <Stack>
            <NativeSelect
              label="Agent"
              required
              value={agentId}
              error={agentError}
              onChange={(e) => {
                setAgentId(e.currentTarget.value);
                setTyped(null);
                setFormData({});
                setExtraErrors(undefined);
                setFailure(null);
              }}
              data={[
                { value: '', label: 'Choose an agent', disabled: true },
                ...agents.data.map((a) => ({
                  value: a.id,
                  label: `${a.name} (${a.type}${a.status === 'paused' ? ', paused' : ''})`,
                })),
              ]}
            />
            {agent && rjsfSchema && (
              <div className="task-form schema-form">
                <SchemaForm
                  key={agent.id}
                  schema={rjsfSchema}
                  uiSchema={uiSchema}
                  validator={validator}
                  formData={formData}
                  onChange={(e) => setFormData((e.formData ?? {}) as Record<string, unknown>)}
                  // The input has errors (now on their fields): the options', if any, are shown with them.
                  onError={() => {
                    setFailure(null);
                    setOptionIssues(optionProblems(options));
                  }}
                  onSubmit={(e) => void submit((e.formData ?? {}) as Input)}
                  extraErrors={extraErrors}
                  disabled={busy}
                >
                  {optionsField}
                  <Group mt="md">
                    <Button type="submit" loading={busy}>
                      Submit task
                    </Button>
                  </Group>
                </SchemaForm>
              </div>
            )}
            {agent && schema && !formSchema && (
              <form onSubmit={submitJson}>
                <Stack>
                  <Textarea
                    label="Input (JSON)"
                    description={
                      typeof schema.description === 'string' ? (
                        <TextWithCode text={schema.description} />
                      ) : inputWays(schema).length > 1 ? (
                        `One of ${inputWays(schema).join(' or ')}`
                      ) : undefined
                    }
                    autosize
                    minRows={4}
                    className="code-input"
                    value={json}
                    error={jsonError}
                    onChange={(e) => setTyped(e.currentTarget.value)}
                  />
                  {optionsField}
                  <Group>
                    <Button type="submit" loading={busy}>
                      Submit task
                    </Button>
                  </Group>
                </Stack>
              </form>
            )}
            {!agent && <Text c="dimmed">Choose the agent that runs the task; its input fields follow.</Text>}
            {failure && <ErrorState title="The task was not created" error={failure.error} />}
            {failure && failure.messages.length > 0 && (
              <ul aria-label="Problems">
                {failure.messages.map((m) => (
                  <li key={m}>
                    <Text size="sm">{m}</Text>
                  </li>
                ))}
              </ul>
            )}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
