import { Anchor, Code, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useLiveEvents } from '../../app/live-events';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState } from '../../components/ErrorState';
import { JsonView } from '../../components/JsonView';
import { LivePausedNotice } from '../../components/LivePausedNotice';
import { PageTitle } from '../../components/PageTitle';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { Graph, useAgentName } from './graph';
import {
  FINAL_RUN,
  type Workflow,
  type WorkflowRun,
  applyRunEvents,
  runQuery,
  useWorkflowsWriteBlocked,
  workflowQuery,
} from './workflow-api';
import type { GraphStep } from './workflow-validation';
import { RunStepItem } from './RunStepItem';
import { RetryRun } from './RetryRun';
import { Notice } from '../../components/Notice';

/** A safety net for events missed (a reconnection, say): while the run goes on, it is read again this often. */
const FALLBACK_REFRESH_MS = 15_000;

/** "850 ms", "12.4 s", "3.2 min". */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function RunView() {
  const { id = '', runId = '' } = useParams();
  const queryClient = useQueryClient();
  const run = useQuery({
    ...runQuery(runId),
    refetchInterval: (query) =>
      query.state.data && !FINAL_RUN.includes(query.state.data.status) ? FALLBACK_REFRESH_MS : false,
  });
  // The run's events go into the cache: statuses at once, the rest by reading the run again.
  const live = Boolean(run.data && !FINAL_RUN.includes(run.data.status));
  // What happened between reading the run and joining its room is in no event: read it again once joined.
  // While live updates are paused (the connection lost, events missed), the page says the run may be out of date.
  const pause = useLiveEvents(
    live ? { runId } : null,
    (events) => applyRunEvents(queryClient, events),
    () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows.run(runId) }),
  );
  const workflowId = run.data?.workflowId ?? id;
  const workflow = useQuery({ ...workflowQuery(workflowId), retry: false });

  return (
    <Stack>
      <Anchor component={Link} to={`/workflows/${workflowId}`} size="sm" className="back-link">
        ← {workflow.data?.name ?? 'Workflow'}
      </Anchor>
      <PageTitle>{`Run ${runId.slice(0, 8)}`}</PageTitle>
      <LivePausedNotice pause={pause} subject="This run" />
      {run.isPending ? (
        <Skeleton role="progressbar" height={320} aria-busy="true" aria-label="Loading the run" />
      ) : run.isError ? (
        <ErrorState title="Could not load the run" error={run.error} onRetry={() => void run.refetch()} />
      ) : (
        <RunDetails run={run.data} workflow={workflow.data} workflowMissing={workflow.isError} />
      )}
    </Stack>
  );
}

/**
 * The run's steps as graph steps: in the run's order, with the dependencies of the workflow's definition
 * (the current one; a run of an older version may differ, and the page says so).
 */
function runGraphSteps(run: WorkflowRun, workflow: Workflow | undefined): GraphStep[] {
  const defined = new Map((workflow?.steps ?? []).map((s) => [s.id, s]));
  return run.steps.map((step, index) => ({
    index,
    id: step.id,
    kind: step.kind,
    agentId: defined.get(step.id)?.agentId,
    dependsOn: (defined.get(step.id)?.dependsOn ?? []).filter((d) => run.steps.some((s) => s.id === d)),
  }));
}

function RunDetails({
  run,
  workflow,
  workflowMissing,
}: {
  run: WorkflowRun;
  workflow: Workflow | undefined;
  workflowMissing: boolean;
}) {
  const agentName = useAgentName();
  const steps = useMemo(() => runGraphSteps(run, workflow), [run, workflow]);
  const statuses = useMemo(() => new Map(run.steps.map((s, i) => [i, s.status])), [run.steps]);
  const final = FINAL_RUN.includes(run.status);
  const took = run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.createdAt) : null;
  const counts = useMemo(() => {
    const byStatus = new Map<string, number>();
    for (const step of run.steps) byStatus.set(step.status, (byStatus.get(step.status) ?? 0) + 1);
    return [...byStatus].map(([status, n]) => `${n.toLocaleString('en')} ${status}`).join(' · ');
  }, [run.steps]);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap="xs">
            <Group gap="sm" role="group" aria-label="Run status">
              <Text fw={600}>Status</Text>
              <StatusBadge status={run.status} />
              {!final && (
                <Text size="sm" c="dimmed">
                  updating live
                </Text>
              )}
            </Group>
            <Text size="sm">Steps: {counts}</Text>
            <Text size="sm" c="dimmed">
              Started <TimeAgo value={run.createdAt} />
              {run.finishedAt && (
                <>
                  {' '}
                  · finished <TimeAgo value={run.finishedAt} />
                  {took !== null && ` · took ${duration(took)}`}
                </>
              )}{' '}
              · workflow version {run.workflowVersion.toLocaleString('en')}
            </Text>
            <Text size="xs" c="dimmed">
              ID <Code>{run.id}</Code>
            </Text>
          </Stack>
          <Stack gap="xs" align="flex-end">
            <CancelRun run={run} final={final} />
            <RetryRun run={run} onRetried={setNotice} />
          </Stack>
        </Group>
      </Paper>
      <section aria-labelledby="run-graph-title">
        <Title order={2} size="h3" id="run-graph-title" mb="xs">
          Graph
        </Title>
        {workflowMissing && (
          <Text size="sm" c="dimmed" mb="xs">
            The workflow is gone: the steps are drawn without their dependencies.
          </Text>
        )}
        {workflow && workflow.version !== run.workflowVersion && (
          <Text size="sm" c="dimmed" mb="xs">
            The run used version {run.workflowVersion.toLocaleString('en')}; the dependencies drawn are those of version{' '}
            {workflow.version.toLocaleString('en')}.
          </Text>
        )}
        <Graph
          steps={steps}
          label={`Graph of run ${run.id.slice(0, 8)}, each step with its status`}
          agentName={agentName}
          statuses={statuses}
        />
      </section>
      <section aria-labelledby="run-steps-title">
        <Title order={2} size="h3" id="run-steps-title" mb="xs">
          Steps
        </Title>
        <ul className="wf-steps" aria-label="Steps">
          {run.steps.map((step, index) => (
            <RunStepItem
              key={step.id}
              run={run}
              step={step}
              agent={agentName(steps[index]?.agentId)}
              onDecided={setNotice}
            />
          ))}
        </ul>
      </section>
      <div className="wf-run-io">
        <Paper withBorder p="md" radius="md">
          <JsonView label="Run input" value={run.input} />
        </Paper>
        <Paper withBorder p="md" radius="md">
          {run.output === null ? (
            <Text size="sm" c="dimmed">
              The run’s output (the outputs of the last steps) shows here once it has succeeded or failed.
            </Text>
          ) : (
            <JsonView label="Run output" value={run.output} />
          )}
        </Paper>
      </div>
    </>
  );
}

function CancelRun({ run, final }: { run: WorkflowRun; final: boolean }) {
  const blocked = useWorkflowsWriteBlocked();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<string | null>(null);
  if (blocked || (final && !result)) return null;
  return (
    <Stack gap="xs" align="flex-end">
      {!final && (
        <ConfirmButton
          label="Cancel run"
          confirmLabel="Cancel the run"
          consequence={`Run ${run.id.slice(0, 8)} stops: its queued and running steps are cancelled and the steps after them do not start.`}
          onConfirm={async () => {
            const next = unwrap(
              await api.POST('/api/v1/workflow-runs/{runId}/cancel', { params: { path: { runId: run.id } } }),
            );
            queryClient.setQueryData(queryKeys.workflows.run(run.id), next);
            void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.runs(run.workflowId).slice(0, 3) });
            setResult('The run was cancelled.');
          }}
        />
      )}
      {result && (
        <Text size="sm" role="status">
          {result}
        </Text>
      )}
    </Stack>
  );
}
