import { Alert, Anchor, Badge, Button, Code, Group, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useAction } from '../../components/use-action';
import { agentsGone } from './deleted-agents';
import { AgentDeletedBadge } from './DeletedAgentsNotice';
import { useTargetName } from './use-target-name';
import { type Workflow, agentQuery, allAgentsQuery } from './workflow-api';

/** The mark of a workflow whose triggers the platform paused, in the list: why, on hover and for screen readers. */
export function TriggersPausedBadge({ reason }: { reason: string }) {
  return (
    <Badge color="yellow" variant="light" radius="sm" title={reason}>
      Triggers paused
      <VisuallyHidden>: {reason}</VisuallyHidden>
    </Badge>
  );
}

/**
 * What starts the workflow on its own: its triggers, each an event of an agent's tasks or a workflow's runs.
 * Paused by the platform (the API key that set them was revoked), they say why, and whoever may change the
 * workflow resumes them by setting them again.
 */
export function TriggersSection({ workflow, changeBlocked }: { workflow: Workflow; changeBlocked: string | null }) {
  const queryClient = useQueryClient();
  const { busy, failure, run } = useAction('The triggers were not resumed');
  const heading = useRef<HTMLHeadingElement>(null);
  const [resumed, setResumed] = useState(false);
  if (workflow.triggers.length === 0) return null;

  const resume = async () => {
    try {
      unwrap(
        await api.PATCH('/api/v1/workflows/{id}', {
          params: { path: { id: workflow.id } },
          body: { triggers: workflow.triggers },
        }),
      );
    } catch (err) {
      // A trigger whose agent or workflow is gone is refused: say which.
      if (err instanceof ApiError && err.details.length)
        throw new Error(
          `${err.message}: ${err.details.map((d) => `${d.field ?? ''} ${d.message}`.trim()).join('; ')}`,
          {
            cause: err,
          },
        );
      throw err;
    }
    // The list marks workflows whose triggers are paused: it is read again too.
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.workflows.detail(workflow.id) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.workflows.list() }),
    ]);
    setResumed(true);
    // The notice and its button go: focus stays in the section.
    heading.current?.focus();
  };

  return (
    <section aria-labelledby="wf-triggers-title">
      <Title order={2} size="h3" id="wf-triggers-title" mb="xs" ref={heading} tabIndex={-1}>
        Triggers
      </Title>
      <Text size="sm" role="status" aria-live="polite">
        {resumed && !workflow.triggersPausedReason ? 'Triggers resumed: they start runs from now on.' : ''}
      </Text>
      {workflow.triggersPausedReason && (
        <Alert color="yellow" variant="light" role="status" title="Triggers paused" mb="sm">
          <Text size="sm">
            {workflow.triggersPausedReason}: these triggers start no run until they are resumed. Runs started by hand
            are not affected.
          </Text>
          {changeBlocked ? (
            <Text size="sm" mt="xs">
              Ask its creator or an admin to resume them.
            </Text>
          ) : (
            <Button mt="xs" size="xs" variant="default" loading={busy} onClick={() => void run(resume)}>
              Resume triggers
            </Button>
          )}
          {failure && (
            <Text size="sm" c="red.8" role="alert" mt="xs">
              {failure}
            </Text>
          )}
        </Alert>
      )}
      <TriggerTable triggers={workflow.triggers} />
    </section>
  );
}

/**
 * The agents named that were deleted since: from the list of live agents, each asked for on its own (a 404 says
 * it is gone) when the list is cut short.
 */
function useDeletedAgents(agentIds: string[]): Set<string> {
  const agents = useQuery(allAgentsQuery());
  const { gone, unsure } = agentsGone(agentIds, agents.data);
  const checks = useQueries({ queries: unsure.map((id) => ({ ...agentQuery(id), retry: false })) });
  unsure.forEach((id, i) => {
    const error = checks[i]?.error;
    if (error instanceof ApiError && error.status === 404) gone.add(id);
  });
  return gone;
}

/** Each trigger: the event, and whose tasks or runs (linked; an agent deleted since is marked, as text). */
function TriggerTable({ triggers }: { triggers: Workflow['triggers'] }) {
  const targetName = useTargetName();
  const deleted = useDeletedAgents(triggers.flatMap((trigger) => (trigger.agentId ? [trigger.agentId] : [])));
  return (
    <Table aria-label="Triggers" verticalSpacing="xs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Event</Table.Th>
          <Table.Th scope="col">Source</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {triggers.map((trigger, i) => {
          const of = trigger.agentId || trigger.workflowId ? targetName(trigger) : null;
          return (
            <Table.Tr key={i}>
              <Table.Td>
                <Code>{trigger.on}</Code>
              </Table.Td>
              <Table.Td>
                {of && trigger.agentId && deleted.has(trigger.agentId) ? (
                  <Group gap="xs" wrap="nowrap">
                    <Text size="sm">{of.label}</Text>
                    <AgentDeletedBadge />
                  </Group>
                ) : of ? (
                  <Anchor component={Link} to={of.to}>
                    {of.label}
                  </Anchor>
                ) : (
                  'any agent'
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
