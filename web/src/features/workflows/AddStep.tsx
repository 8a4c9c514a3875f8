import { Button, Group, NativeSelect, Paper, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { DisabledButton } from '../../components/DisabledButton';
import { agentTypesQuery } from '../tasks/task-api';
import type { Parsed } from './json-syntax';
import { agentOfStep, sourcePath, stepIdFor, stepIdsOf, withStep } from './step-adding';
import { inputFor } from './step-input';
import type { Agent } from './workflow-api';

const FIRST = '';

/** What a step after `follows` is given: the run's input, or the output of the step it follows. */
function sourceWords(follows: string): string {
  return follows === FIRST ? 'the run’s input' : `the output of step “${follows}”`;
}

/** The agent types as "Add a step" has them: a failed refresh of types already read still has them. */
type TypesState = 'loading' | 'failed' | 'loaded';

/**
 * How the new step's input will be made: from its agent type's input schema; nothing until the agent types have
 * loaded (adding waits for them); without them (they could not be read), the source handed on whole.
 */
function InputHint({
  types,
  follows,
  onRetry,
  retrying,
}: {
  types: TypesState;
  follows: string;
  onRetry: () => void;
  retrying: boolean;
}) {
  if (types === 'loading') {
    return (
      <Text size="xs" c="dimmed" mt={4}>
        Loading the agent types…
      </Text>
    );
  }
  if (types === 'failed') {
    return (
      <Group gap="xs" mt={4} wrap="nowrap" align="center">
        <Text size="xs" c="red.8" role="alert">
          The agent types could not be read: its input will be {sourceWords(follows)} whole, not the fields its agent
          needs; edit it in the JSON.
        </Text>
        <Button size="compact-xs" variant="default" onClick={onRetry} loading={retrying}>
          Try again
        </Button>
      </Group>
    );
  }
  return (
    <Text size="xs" c="dimmed" mt={4}>
      Its input will have the fields the agent needs, each taken from {sourceWords(follows)} where one fits; check it in
      the JSON.
    </Text>
  );
}

/**
 * Adds a task step to the definition being edited: its agent picked by name, after a step or at the start, with
 * an id made from the agent's name and an input built from the agent type's input schema, each field taken from
 * the step before's output (or the run's input) where one fits. The JSON stays the one place the definition is
 * edited; this writes it.
 */
export function AddStep({
  text,
  parsed,
  agents,
  agentsFailed,
  onAdd,
}: {
  text: string;
  /** The editor's reading of the text (it may lag behind it while typing): the steps a new one may follow. */
  parsed: Parsed;
  agents: Agent[];
  /** The agents could not be read (the page shows the definition all the same): none read is not "no agent". */
  agentsFailed: boolean;
  onAdd: (next: string) => void;
}) {
  const titleId = useId();
  const ids = useMemo(() => (parsed.ok ? stepIdsOf(parsed.value) : []), [parsed]);
  const [agentId, setAgentId] = useState('');
  // Until one is chosen, a new step follows the last one.
  const [after, setAfter] = useState<string | null>(null);
  const follows = after !== null && (after === FIRST || ids.includes(after)) ? after : (ids.at(-1) ?? FIRST);
  const [problem, setProblem] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const agent = agents.find((a) => a.id === agentId);
  // Sorted by name, as one looks for them.
  const byName = useMemo(() => [...agents].sort((a, b) => a.name.localeCompare(b.name)), [agents]);
  const types = useQuery(agentTypesQuery());
  const typesState: TypesState = types.data ? 'loaded' : types.isError ? 'failed' : 'loading';
  const schemaOf = (type: string | undefined, which: 'inputSchema' | 'outputSchema') =>
    types.data?.find((t) => t.type === type)?.[which];

  const add = () => {
    if (!agent) return;
    const dependsOn = follows === FIRST ? [] : [follows];
    const id = stepIdFor(agent.name, new Set(ids));
    const before = parsed.ok && dependsOn.length ? agentOfStep(parsed.value, dependsOn[0]) : undefined;
    const source = {
      path: sourcePath(dependsOn),
      // After a step whose agent is unknown, nothing is assumed of its output's shape.
      schema: dependsOn.length
        ? (schemaOf(agents.find((a) => a.id === before)?.type, 'outputSchema') ?? {})
        : undefined,
    };
    const { input, toFill } = inputFor(schemaOf(agent.type, 'inputSchema'), source);
    const result = withStep(text, { id, agentId: agent.id, input, dependsOn });
    if (!result.ok) return setProblem(result.message);
    setProblem(null);
    setAfter(null);
    const fill = toFill.length ? ` Fill in ${toFill.map((f) => `“${f}”`).join(', ')} in the JSON above.` : '';
    // Without the agent types, the input is the source whole: said, since the operator has to shape it.
    const whole =
      typesState === 'failed' ? ` Its input is ${sourceWords(follows)} whole: the agent types could not be read.` : '';
    setAdded(`Added step “${id}”${dependsOn.length ? ` after “${dependsOn[0]}”` : ''}.${fill}${whole}`);
    onAdd(result.text);
  };

  const blocked = !parsed.ok
    ? 'Fix the JSON first'
    : agents.length === 0
      ? agentsFailed
        ? 'The agents could not be read: reload the page'
        : 'There is no agent to run yet'
      : !agent
        ? 'Choose an agent first'
        : typesState === 'loading'
          ? 'Loading the agent types…'
          : null;

  return (
    <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby={titleId} className="wf-add-step">
      <Title order={3} size="h5" id={titleId} mb="xs">
        Add a step
      </Title>
      <Group align="flex-end" gap="sm">
        <NativeSelect
          label="Agent"
          value={agentId}
          onChange={(e) => setAgentId(e.currentTarget.value)}
          data={[
            { value: '', label: 'Choose an agent' },
            ...byName.map((a) => ({ value: a.id, label: `${a.name} (${a.type})` })),
          ]}
        />
        <NativeSelect
          label="After"
          value={follows}
          onChange={(e) => setAfter(e.currentTarget.value)}
          data={[{ value: FIRST, label: 'nothing: it starts the run' }, ...ids.map((id) => ({ value: id, label: id }))]}
        />
        {blocked ? (
          <DisabledButton variant="default" label="Add step" reason={blocked} />
        ) : (
          <Button variant="default" onClick={add}>
            Add step
          </Button>
        )}
      </Group>
      {parsed.ok && (
        <InputHint
          types={typesState}
          follows={follows}
          onRetry={() => void types.refetch()}
          retrying={types.isFetching}
        />
      )}
      <Text size="sm" role="status" aria-live="polite" mt={4}>
        {added ?? ''}
      </Text>
      {problem && (
        <Text size="sm" c="red.8" role="alert" mt={4}>
          {problem}
        </Text>
      )}
    </Paper>
  );
}
