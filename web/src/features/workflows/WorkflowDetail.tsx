import { Anchor, Button, Code, Group, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { noneYet, ownOnlyNote } from '../../app/own-lists';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { ListBody } from '../../components/ListBody';
import { Pager } from '../../components/Pager';
import { JsonView } from '../../components/JsonView';
import { PageTitle } from '../../components/PageTitle';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { Graph, useAgentName } from './graph';
import { RetryFailedRuns } from '../bulk/BulkActions';
import { deletedAgentProblems, deletedAgentReason } from './deleted-agents';
import { AgentDeletedBadge, DeletedAgentsNotice } from './DeletedAgentsNotice';
import {
  type WorkflowDetail as Workflow,
  useWorkflowChangeBlocked,
  useWorkflowsWriteBlocked,
  workflowQuery,
  workflowRunsQuery,
} from './workflow-api';
import { TriggersSection } from './TriggersSection';
import { pageOfSearch, pageQuery, withPage } from '../../components/paging';
import { graphSteps } from './workflow-validation';
import { WorkflowActions } from './WorkflowActions';

const RUNS_PAGE = 10;
const numberFormat = new Intl.NumberFormat('en');

export function WorkflowDetail() {
  const { id = '' } = useParams();
  const workflow = useQuery(workflowQuery(id));
  return (
    <Stack>
      <Anchor component={Link} to="/workflows" size="sm">
        ← Workflows
      </Anchor>
      {workflow.isPending ? (
        <>
          <PageTitle>Workflow</PageTitle>
          <Skeleton role="progressbar" height={320} aria-busy="true" aria-label="Loading the workflow" />
        </>
      ) : workflow.isError ? (
        <>
          <PageTitle>Workflow</PageTitle>
          <ErrorState
            title="Could not load the workflow"
            error={workflow.error}
            onRetry={() => void workflow.refetch()}
          />
        </>
      ) : (
        <WorkflowView workflow={workflow.data} />
      )}
    </Stack>
  );
}

function WorkflowView({ workflow }: { workflow: Workflow }) {
  const agentName = useAgentName();
  const steps = useMemo(() => graphSteps(workflow), [workflow]);
  const changeBlocked = useWorkflowChangeBlocked(workflow);
  const deletedIds = workflow.stepsWithDeletedAgent;
  const problems = useMemo(() => deletedAgentProblems(workflow.steps, deletedIds), [workflow.steps, deletedIds]);

  return (
    <>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <PageTitle>{workflow.name}</PageTitle>
          {workflow.description && <Text className="wf-description">{workflow.description}</Text>}
          <Text size="sm" c="dimmed">
            Version {numberFormat.format(workflow.version)} · {numberFormat.format(workflow.steps.length)}{' '}
            {workflow.steps.length === 1 ? 'step' : 'steps'} · updated <TimeAgo value={workflow.updatedAt} /> · created{' '}
            <TimeAgo value={workflow.createdAt} />
          </Text>
        </Stack>
        <WorkflowActions workflow={workflow} runBlocked={deletedAgentReason(deletedIds)} />
      </Group>
      <DeletedAgentsNotice stepIds={deletedIds} changeBlocked={changeBlocked} />
      <section aria-labelledby="wf-graph-title">
        <Title order={2} size="h3" id="wf-graph-title" mb="xs">
          Graph
        </Title>
        <Graph steps={steps} label={`Graph of workflow ${workflow.name}`} agentName={agentName} problems={problems} />
      </section>
      <section aria-labelledby="wf-steps-title">
        <Title order={2} size="h3" id="wf-steps-title" mb="xs">
          Steps
        </Title>
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Steps" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Step</Table.Th>
                <Table.Th scope="col">Agent</Table.Th>
                <Table.Th scope="col">After</Table.Th>
                <Table.Th scope="col">Input</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {workflow.steps.map((step) => (
                <Table.Tr key={step.id}>
                  <Table.Td>
                    <Code>{step.id}</Code>
                    {step.continueOnFailure && (
                      <Text size="xs" c="dimmed">
                        continues on failure
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {!step.agentId ? (
                      '—'
                    ) : deletedIds.includes(step.id) ? (
                      <Group gap="xs" wrap="nowrap">
                        <Text size="sm">{agentName(step.agentId)}</Text>
                        <AgentDeletedBadge />
                      </Group>
                    ) : (
                      <Anchor component={Link} to={`/agents/${step.agentId}`}>
                        {agentName(step.agentId)}
                      </Anchor>
                    )}
                  </Table.Td>
                  <Table.Td>{step.dependsOn?.length ? step.dependsOn.join(', ') : '—'}</Table.Td>
                  <Table.Td>
                    {/* Only a task step has an input; an approval or a wait has none to show. */}
                    {step.input !== undefined && (
                      <JsonView label={`Input of ${step.id}`} value={step.input} collapsed />
                    )}
                    {step.when && <JsonView label={`Condition of ${step.id}`} value={step.when} collapsed />}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
      <TriggersSection workflow={workflow} changeBlocked={changeBlocked} />
      <RecentRuns workflow={workflow} />
    </>
  );
}

function RecentRuns({ workflow }: { workflow: Workflow }) {
  const me = useMe();
  const blocked = useWorkflowsWriteBlocked();
  const [search, setSearch] = useSearchParams();
  const page = pageOfSearch(search, 'runsPage');
  const params = pageQuery(page, RUNS_PAGE);
  const runs = useQuery(workflowRunsQuery(workflow.id, params));
  const setPage = (next: number) => setSearch(withPage(search, next, 'runsPage'));
  const total = runs.data?.total ?? 0;

  return (
    <section aria-labelledby="wf-runs-title">
      <Title order={2} size="h3" id="wf-runs-title" mb="xs">
        Recent runs
      </Title>
      {!blocked && total > 0 && <RetryFailedRuns workflowId={workflow.id} />}
      <ListBody
        query={runs}
        loading={<Skeleton role="progressbar" height={120} aria-busy="true" aria-label="Loading the runs" />}
        errorTitle="Could not load the runs"
        count={(data) => data.items.length}
        empty={
          page > 1 ? (
            <EmptyState
              title="Nothing on this page"
              order={3}
              action={
                <Button variant="default" onClick={() => setPage(1)}>
                  Go to the first page
                </Button>
              }
            />
          ) : (
            <EmptyState title={noneYet('runs', me)} order={3}>
              {blocked
                ? 'Each run of this workflow is listed here with its status. Running workflows needs the workflows:write permission (operators and admins).'
                : `Start one with “Run”, or with POST /api/v1/workflows/${workflow.id}/runs; each run is listed here with its status.`}{' '}
              {ownOnlyNote('runs', me)}
            </EmptyState>
          )
        }
      >
        {({ items }) => (
          <Paper withBorder radius="md" p="xs">
            <Table.ScrollContainer minWidth={520}>
              <Table striped aria-label="Runs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Run</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Version</Table.Th>
                    <Table.Th scope="col">Started</Table.Th>
                    <Table.Th scope="col">Finished</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((run) => (
                    <Table.Tr key={run.id}>
                      <Table.Td>
                        <Anchor
                          component={Link}
                          to={`/workflows/${workflow.id}/runs/${run.id}`}
                          ff="monospace"
                          aria-label={`Run ${run.id}`}
                        >
                          {run.id.slice(0, 8)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={run.status} />
                      </Table.Td>
                      <Table.Td>{numberFormat.format(run.workflowVersion)}</Table.Td>
                      <Table.Td>
                        <TimeAgo value={run.createdAt} />
                      </Table.Td>
                      <Table.Td>
                        <TimeAgo value={run.finishedAt} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager
              page={page}
              skip={params.skip}
              size={RUNS_PAGE}
              total={total}
              onPage={setPage}
              previousLabel="Newer runs"
              nextLabel="Older runs"
              mt="xs"
            />
          </Paper>
        )}
      </ListBody>
    </section>
  );
}
