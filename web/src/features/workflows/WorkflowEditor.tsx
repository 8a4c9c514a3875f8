import { Alert, Anchor, Button, Code, Group, Paper, Skeleton, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useId, useMemo, useState } from 'react';
import { useUnsavedChanges } from '../../components/UnsavedChanges';
import { useDraftKeeping, useKeptDraft } from '../../app/drafts';
import { useMe } from '../../app/session';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { DisabledButton } from '../../components/DisabledButton';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';
import { AddStep } from './AddStep';
import { AgentIds } from './AgentIds';
import { Graph, useAgentName } from './graph';
import { StepProblemList } from './StepProblems';
import {
  type Agent,
  type Workflow,
  type WorkflowDetail,
  allAgentsQuery,
  useWorkflowChangeBlocked,
  workflowQuery,
} from './workflow-api';
import { parseDefinition } from './json-syntax';
import { type Problem, graphSteps, groupProblems, validateDefinition } from './workflow-validation';

type Body = { name: string; description?: string; steps: Workflow['steps']; triggers?: Workflow['triggers'] };

/** A workflow that saves as it is: one step on the first agent, given the run's input whole. */
function starter(agents: Agent[]): string {
  const agentId = agents[0]?.id ?? '<an agent id>';
  return JSON.stringify({ name: 'My workflow', steps: [{ id: 'first', agentId, input: '{{ input }}' }] }, null, 2);
}

function definitionOf(workflow: Workflow): string {
  return JSON.stringify(
    {
      name: workflow.name,
      ...(workflow.description !== null ? { description: workflow.description } : {}),
      steps: workflow.steps,
      ...(workflow.triggers.length ? { triggers: workflow.triggers } : {}),
    },
    null,
    2,
  );
}

export function NewWorkflow() {
  const agents = useQuery(allAgentsQuery());
  return (
    <Stack>
      <Anchor component={Link} to="/workflows" size="sm">
        ← Workflows
      </Anchor>
      <PageTitle>New workflow</PageTitle>
      {agents.isPending ? (
        <Skeleton role="progressbar" height={360} aria-busy="true" aria-label="Loading the agents" />
      ) : agents.isError ? (
        <ErrorState title="Could not load the agents" error={agents.error} onRetry={() => void agents.refetch()} />
      ) : (
        <DefinitionEditor initialText={starter(agents.data.items)} />
      )}
    </Stack>
  );
}

export function EditWorkflow() {
  const { id = '' } = useParams();
  const workflow = useQuery(workflowQuery(id));
  const agents = useQuery(allAgentsQuery());
  return (
    <Stack>
      <Anchor component={Link} to={`/workflows/${id}`} size="sm" className="back-link">
        ← {workflow.data?.name ?? 'Workflow'}
      </Anchor>
      <PageTitle>{workflow.data ? `Edit ${workflow.data.name}` : 'Edit workflow'}</PageTitle>
      {workflow.isPending || agents.isPending ? (
        <Skeleton role="progressbar" height={360} aria-busy="true" aria-label="Loading the workflow" />
      ) : workflow.isError ? (
        <ErrorState
          title="Could not load the workflow"
          error={workflow.error}
          onRetry={() => void workflow.refetch()}
        />
      ) : (
        <DefinitionEditor key={workflow.data.id} initialText={definitionOf(workflow.data)} workflow={workflow.data} />
      )}
    </Stack>
  );
}

/**
 * What a change sends: the steps only when they changed (new steps make a new version); the triggers only when
 * they changed (sending them restarts them, paused ones included, from now), none when they were taken out; and
 * an empty description when it was taken out (a field left out of a change is left as it was).
 */
function changes(workflow: Workflow, body: Body): Partial<Body> {
  const { steps, triggers = [], ...change } = body as Partial<Body>;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  // Triggers are the same whatever the order of their fields.
  const fields = (list: Workflow['triggers']) => list.map((t) => [t.on, t.agentId ?? null, t.workflowId ?? null]);
  return {
    ...change,
    ...(same(steps, workflow.steps) ? {} : { steps }),
    ...(same(fields(triggers), fields(workflow.triggers)) ? {} : { triggers }),
    ...(workflow.description && body.description === undefined ? { description: '' } : {}),
  };
}

/**
 * `problems` by where they show: a drawn step's on its node (and in the list of steps), the others listed with
 * the definition's own (a "step" that is not an object has no node to go on).
 */
function placed(problems: Problem[], steps: { index: number }[]) {
  const grouped = groupProblems(problems);
  const drawn = new Set(steps.map((s) => s.index));
  const byStep = new Map([...grouped.byStep].filter(([index]) => drawn.has(index)));
  const elsewhere = [...grouped.byStep].filter(([index]) => !drawn.has(index)).flatMap(([, list]) => list);
  return { general: [...grouped.general, ...elsewhere], byStep };
}

function saveErrorTitle(workflow: Workflow | undefined) {
  return workflow ? 'The changes were not saved' : 'The workflow was not created';
}

/**
 * The definition as JSON, checked as it is typed (workflow-validation.ts), its graph drawn beside it; the
 * problems land on the steps they are about, in the list of steps and on the graph's nodes, and so do the
 * server's when it refuses the definition.
 */
function DefinitionEditor({ initialText, workflow }: { initialText: string; workflow?: Workflow }) {
  // Creating needs workflows:write; saving changes to a workflow, its creator or an admin too.
  const blocked = useWorkflowChangeBlocked(workflow);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const agents = useQuery(allAgentsQuery());
  const agentName = useAgentName();
  const me = useMe();
  const draftKey = workflow ? `workflow:${workflow.id}` : 'workflow:new';
  // A definition left unsaved when the session ended comes back after signing in again.
  const basis = workflow?.updatedAt ?? '';
  const kept = useKeptDraft(me.id, draftKey, initialText, basis);
  const [text, setText] = useState(kept.start);
  useDraftKeeping(draftKey, text !== initialText ? text : null, basis);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const { prompt, allowLeaving } = useUnsavedChanges(text !== initialText, 'The workflow definition');
  const deferred = useDeferredValue(text);
  const parsed = useMemo(() => parseDefinition(deferred), [deferred]);
  const helpId = useId();
  const statusId = useId();

  // With every agent at hand, an agent id that names none is a problem before saving.
  const knownAgents = useMemo(() => {
    const page = agents.data;
    if (!page || page.items.length < page.total) return undefined;
    return new Set(page.items.map((a) => a.id.toLowerCase()));
  }, [agents.data]);

  const clientProblems = useMemo(
    () => (parsed.ok ? validateDefinition(parsed.value, { knownAgents }) : []),
    [parsed, knownAgents],
  );

  // While the text does not parse, the graph keeps the steps as they last were.
  const [drawn, setDrawn] = useState(() => ({ parsed, steps: parsed.ok ? graphSteps(parsed.value) : [] }));
  if (drawn.parsed !== parsed && parsed.ok) setDrawn({ parsed, steps: graphSteps(parsed.value) });
  const steps = drawn.steps;

  const problems = useMemo(() => [...clientProblems, ...serverProblems], [clientProblems, serverProblems]);
  const { general, byStep } = useMemo(() => placed(problems, steps), [problems, steps]);
  // Where the server's reasons show: on the steps' nodes, in the list above, or both.
  const serverPlaces = useMemo(() => {
    const server = placed(serverProblems, steps);
    const places = [server.byStep.size > 0 && 'marked on the steps', server.general.length > 0 && 'listed above'];
    return places.filter(Boolean).join(' and ');
  }, [serverProblems, steps]);
  const nodeProblems = useMemo(
    () => new Map([...byStep].map(([index, list]) => [index, list.map((p) => p.message)])),
    [byStep],
  );

  const syntax = parsed.ok ? null : parsed.error;
  const syntaxText = syntax
    ? `${syntax.line !== undefined ? `Line ${syntax.line}, column ${syntax.column}: ` : ''}${syntax.message}`
    : null;
  const count = clientProblems.length + (syntax ? 1 : 0);
  const stale = text !== deferred;

  const save = async () => {
    if (!parsed.ok || clientProblems.length) return;
    setSaving(true);
    setFailure(null);
    setServerProblems([]);
    const body = parsed.value as Body;
    try {
      const saved = workflow
        ? unwrap(
            await api.PATCH('/api/v1/workflows/{id}', {
              params: { path: { id: workflow.id } },
              body: changes(workflow, body),
            }),
          )
        : unwrap(await api.POST('/api/v1/workflows', { body }));
      // Shown at once; which steps name a deleted agent is read again (only the detail says).
      queryClient.setQueryData<WorkflowDetail>(queryKeys.workflows.detail(saved.id), (shown) => ({
        ...saved,
        stepsWithDeletedAgent: shown?.stepsWithDeletedAgent ?? [],
      }));
      void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.detail(saved.id) });
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.workflows.all, 'list'] });
      allowLeaving();
      void navigate(`/workflows/${saved.id}`);
    } catch (err) {
      setFailure(err);
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') {
        setServerProblems(err.details.map((d) => ({ pointer: d.field ?? '', message: d.message })));
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Stack>
      {prompt}
      {kept.restored && (
        <Alert color={kept.outdated ? 'yellow' : 'blue'} title="Unsaved changes restored">
          Your session ended before these changes were saved. They are back: save them, or leave the page to discard
          them.
          {kept.outdated &&
            ' The workflow was changed since you began them: saving them replaces that change (open the workflow in another tab to compare).'}
        </Alert>
      )}
      {blocked && (
        <Alert color="yellow" title="Read only">
          {blocked}: the definition can be drafted and checked here, not saved.
        </Alert>
      )}
      <div className="wf-editor">
        <Stack gap="sm">
          <Textarea
            className="wf-definition"
            label="Workflow definition (JSON)"
            description={
              <span id={helpId}>
                {'{name, description?, steps: [{id, agentId, input, dependsOn?, when?, continueOnFailure?}], '}
                {'triggers?: [{on, agentId?, workflowId?}]}. A step may instead be '}
                <Code>{'"kind": "approval"'}</Code> (timeoutMs?, permission?) or <Code>{'"kind": "wait"'}</Code>{' '}
                (durationMs or until). In an input, <Code>{'"{{ steps.<id>.output.<field> }}"'}</Code> is a field of an
                earlier step’s output and <Code>{'"{{ input.<field> }}"'}</Code> one of the run’s input.
              </span>
            }
            autosize
            minRows={16}
            maxRows={36}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            value={text}
            error={syntaxText}
            onChange={(e) => setText(e.currentTarget.value)}
          />
          {general.length > 0 && (
            <Paper withBorder p="sm" radius="sm">
              <Text size="sm" fw={600}>
                Problems with the definition
              </Text>
              <ul className="wf-problems" aria-label="Problems with the definition">
                {general.map((p, i) => (
                  <li key={i}>
                    {p.pointer && <Code>{p.pointer}</Code>} {p.message}
                  </li>
                ))}
              </ul>
            </Paper>
          )}
          {failure !== null && (
            <ErrorState
              title={saveErrorTitle(workflow)}
              error={failure}
              fallbackMessage="The server refused the definition"
            />
          )}
          {serverProblems.length > 0 && (
            <Text size="sm" c="red.8" role="alert">
              The server refused the definition: its reasons are {serverPlaces}.
            </Text>
          )}
          <Group>
            {blocked ? (
              <DisabledButton label="Save workflow" reason={blocked} />
            ) : (
              <Button
                onClick={() => void save()}
                loading={saving}
                disabled={count > 0 || stale}
                aria-describedby={statusId}
              >
                Save workflow
              </Button>
            )}
            <Button variant="default" component={Link} to={workflow ? `/workflows/${workflow.id}` : '/workflows'}>
              Cancel
            </Button>
            <Text size="sm" id={statusId} c={count > 0 ? 'red.8' : 'dimmed'} aria-live="polite">
              {count === 0
                ? serverProblems.length > 0
                  ? `The server’s problems are ${serverPlaces}: save again once they are fixed.`
                  : 'No problems found.'
                : `${count.toLocaleString('en')} ${count === 1 ? 'problem' : 'problems'} to fix before saving.`}
            </Text>
          </Group>
        </Stack>
        <Stack gap="sm">
          <Title order={2} size="h4">
            Graph
          </Title>
          {syntax && steps.length > 0 && (
            <Text size="xs" c="dimmed">
              The graph shows the steps as they were before the syntax error.
            </Text>
          )}
          <Graph
            steps={steps}
            label="Graph of the workflow being edited"
            agentName={agentName}
            problems={nodeProblems}
          />
          <Title order={2} size="h4">
            Steps
          </Title>
          <StepProblemList steps={steps} problems={byStep} agentName={agentName} />
          <AddStep
            text={text}
            parsed={parsed}
            agents={agents.data?.items ?? []}
            agentsFailed={agents.isError && !agents.data}
            onAdd={setText}
          />
          <AgentIds agents={agents.data?.items ?? []} />
        </Stack>
      </div>
    </Stack>
  );
}
