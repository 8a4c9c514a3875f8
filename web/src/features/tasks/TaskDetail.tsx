import { Alert, Anchor, Button, Code, Group, Paper, Skeleton, Stack, Text, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ErrorState } from '../../components/ErrorState';
import { JsonView } from '../../components/JsonView';
import { PageTitle } from '../../components/PageTitle';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { ConfirmButton } from '../../components/ConfirmButton';
import { keepFocusAfter } from '../../components/keep-focus';
import { useSendOnce } from '../../components/use-single-flight';
import { useMe } from '../../app/session';
import { LiveTasks } from './LiveTasks';
import { attemptsText } from './attempts-text';
import { NoAttempt } from './NoAttempt';
import { CANCELLABLE, type Attempt, type Task, agentsQuery, attemptsQuery, taskQuery } from './task-api';
import { StreamingOutput } from './StreamingOutput';
import { noOutputText, outputStreamQuery, showsStream } from './task-output';
import { TaskProgress } from './TaskProgress';
import { TaskTags } from './TaskTags';
import { fetchStarted, withLiveUpdate } from './task-live';
import { DisabledButton } from '../../components/DisabledButton';
import { StepOfRunNote } from './StepOfRunNote';
import { cancelOfStepText, retryableAlone, stepOfRun } from './task-step';

/** "850 ms", "12.4 s", "3.2 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

function AttemptItem({ attempt }: { attempt: Attempt }) {
  const took = attempt.finishedAt ? Date.parse(attempt.finishedAt) - Date.parse(attempt.startedAt) : null;
  return (
    <Stack gap={2}>
      <Group gap="xs">
        <StatusBadge status={attempt.status} />
        <Text size="sm">
          started <TimeAgo value={attempt.startedAt} />
          {took !== null ? ` · took ${duration(took)}` : ' · still running'}
        </Text>
      </Group>
      <Text size="sm" c="dimmed">
        Worker <Code>{attempt.workerId}</Code>
      </Text>
      {attempt.takenOverFrom.map((before) => (
        <Text size="sm" c="dimmed" key={`${before.workerId} ${before.startedAt}`}>
          taken over from <Code>{before.workerId}</Code>, which started it <TimeAgo value={before.startedAt} /> and
          stopped responding
        </Text>
      ))}
      {attempt.error && (
        <Text size="sm">
          <Code>{attempt.error.code}</Code> {attempt.error.message}
        </Text>
      )}
    </Stack>
  );
}

function Attempts({ task }: { task: Task }) {
  const attempts = useQuery(attemptsQuery(task.id));
  if (attempts.isPending) return <Skeleton role="progressbar" height={80} aria-label="Loading attempts" />;
  if (attempts.isError) return <ErrorState title="Could not load the attempts" error={attempts.error} />;
  if (attempts.data.length === 0) return <NoAttempt task={task} />;
  return (
    <Timeline active={attempts.data.length - 1} bulletSize={14} lineWidth={2} aria-label="Attempts">
      {attempts.data.map((attempt) => (
        <Timeline.Item key={attempt.attempt} title={`Attempt ${attempt.attempt}`}>
          <AttemptItem attempt={attempt} />
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function Actions({ task }: { task: Task }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const canWrite = me.permissions.includes('tasks:write');
  // What the last action did, said until the task moves on from the state it left it in.
  const [result, setResult] = useState<{ message: string; status: Task['status'] } | null>(null);
  const actions = useRef<HTMLDivElement>(null);
  const said = useRef<HTMLParagraphElement>(null);
  const retryButton = useRef<HTMLButtonElement>(null);
  // Once an action took its button away (Cancel gives way to Retry, Retry to Cancel), focus goes to the button
  // that replaced it (Retry again if the retried task failed at once), or to what happened.
  const replacement = () => actions.current?.querySelector<HTMLElement>('button:enabled') ?? said.current;
  // The action's answer, with the events received since it was sent laid over it: a retried task can run and
  // end before the answer arrives, and the answer's older state would otherwise stay (an end has no event after
  // it to correct it).
  const settle = (next: Task, since: number, message: string) => {
    queryClient.setQueryData(queryKeys.tasks.detail(next.id), withLiveUpdate(next, since));
    void queryClient.invalidateQueries({ queryKey: [...queryKeys.tasks.all, 'list'] });
    setResult({ message, status: next.status });
  };
  const retry = useMutation({
    mutationFn: async () => {
      const since = fetchStarted();
      return { since, next: unwrap(await api.POST('/api/v1/tasks/{id}/retry', { params: { path: { id: task.id } } })) };
    },
    onSuccess: ({ next, since }) => {
      // The Retry pressed, not one shown in its place later (the retried task failed at once).
      const pressed = retryButton.current;
      settle(next, since, 'The task is queued again.');
      keepFocusAfter(() => pressed, replacement);
    },
  });
  const retrying = useSendOnce(retry);
  const cancellable = CANCELLABLE.includes(task.status);
  // A workflow run's step task is retried through its run (the page says so and links to it), never alone.
  const retryable = retryableAlone(task);
  const reason = 'Needs the tasks:write permission';
  return (
    <Stack gap="xs" align="flex-end">
      <Group gap="xs" ref={actions}>
        {cancellable &&
          (canWrite ? (
            <ConfirmButton
              label="Cancel"
              confirmLabel="Cancel the task"
              // Once cancelled, Retry takes Cancel's place (not a step task's).
              focusWhenGone={replacement}
              consequence={`Task ${task.id.slice(0, 8)} stops${task.status === 'running' ? ' (its running attempt is aborted)' : ''} and is not retried.${cancelOfStepText(stepOfRun(task))}`}
              onConfirm={async () => {
                const since = fetchStarted();
                const next = unwrap(await api.POST('/api/v1/tasks/{id}/cancel', { params: { path: { id: task.id } } }));
                settle(next, since, 'The task was cancelled.');
              }}
            />
          ) : (
            <DisabledButton color="red" variant="light" label="Cancel" reason={reason} />
          ))}
        {retryable &&
          (canWrite ? (
            <Button ref={retryButton} variant="light" loading={retrying.busy} onClick={() => retrying.send()}>
              Retry
            </Button>
          ) : (
            <DisabledButton variant="light" label="Retry" reason={reason} />
          ))}
      </Group>
      {result?.status === task.status && (
        <Text size="sm" role="status" ref={said} tabIndex={-1}>
          {result.message}
        </Text>
      )}
      {retry.isError && <ErrorState title="Could not retry the task" error={retry.error} />}
    </Stack>
  );
}

/** The final output, or while an attempt runs, its output as it is produced (an llm agent's answer). */
function Output({ task }: { task: Task }) {
  const stream = useQuery(outputStreamQuery(task.id));
  if (showsStream(task, stream.data)) return <StreamingOutput stream={stream.data} />;
  if (task.output === null) {
    return (
      <Text size="sm" c="dimmed">
        {noOutputText(task)}
      </Text>
    );
  }
  return <JsonView label="Output" value={task.output} />;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function TaskDetail() {
  const { id = '' } = useParams();
  const task = useQuery(taskQuery(id));
  const agents = useQuery(agentsQuery());
  const agent = agents.data?.find((a) => a.id === task.data?.agentId);
  const step = task.data ? stepOfRun(task.data) : null;

  return (
    <Stack>
      <Anchor component={Link} to=".." relative="path" size="sm">
        ← All tasks
      </Anchor>
      {/* A task id is a UUID: anything else in the address is no task's, and not cut to look like one. */}
      <PageTitle>{UUID.test(id) ? `Task ${id.slice(0, 8)}` : 'Task'}</PageTitle>
      {task.isPending ? (
        <Skeleton role="progressbar" height={200} aria-label="Loading the task" />
      ) : task.isError ? (
        <ErrorState title="Could not load this task" error={task.error} onRetry={() => void task.refetch()} />
      ) : (
        <>
          <LiveTasks subscription={{ taskId: task.data.id }} subject="This task" />
          <Paper withBorder p="md" radius="md">
            <Group justify="space-between" align="flex-start">
              <Stack gap="xs">
                <Group gap="sm" role="group" aria-label="Task status">
                  <Text fw={600}>Status</Text>
                  <StatusBadge status={task.data.status} />
                </Group>
                <TaskProgress task={task.data} label="Progress" />
                {task.data.progressMessage && <Text size="sm">{task.data.progressMessage}</Text>}
                <Text size="sm">
                  Agent {agent ? agent.name : <Code>{task.data.agentId}</Code>} · {attemptsText(task.data)} · priority{' '}
                  {task.data.priority}
                </Text>
                {step && <StepOfRunNote task={task.data} step={step} />}
                <TaskTags tags={task.data.tags} />
                <Text size="sm" c="dimmed">
                  Created <TimeAgo value={task.data.createdAt} />
                  {task.data.startedAt && (
                    <>
                      {' '}
                      · started <TimeAgo value={task.data.startedAt} />
                    </>
                  )}
                  {task.data.finishedAt && (
                    <>
                      {' '}
                      · finished <TimeAgo value={task.data.finishedAt} />
                    </>
                  )}
                </Text>
                <Text size="xs" c="dimmed">
                  ID <Code>{task.data.id}</Code>
                </Text>
              </Stack>
              <Actions task={task.data} />
            </Group>
          </Paper>
          {task.data.error &&
            (task.data.status === 'cancelled' ? (
              // A cancel was asked for: said plainly, in the cancelled status's colour, not as an error.
              <Alert color="dark" variant="light" title="Cancelled" role="note">
                <Text size="sm">{task.data.error.message}</Text>
              </Alert>
            ) : (
              <Alert color="red" variant="light" title="Error" role="alert">
                <Text size="sm">
                  <Code>{task.data.error.code}</Code> {task.data.error.message}
                </Text>
              </Alert>
            ))}
          <div className="task-io">
            <Paper withBorder p="md" radius="md">
              <JsonView label="Input" value={task.data.input} />
            </Paper>
            <Paper withBorder p="md" radius="md">
              <Output task={task.data} />
            </Paper>
          </div>
          <section aria-labelledby="attempts-heading">
            <Title order={2} size="h4" id="attempts-heading" mb="sm">
              Attempts
            </Title>
            <Attempts task={task.data} />
          </section>
        </>
      )}
    </Stack>
  );
}
