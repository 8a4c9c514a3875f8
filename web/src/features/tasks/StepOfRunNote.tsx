import { Anchor, Code, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { runQuery } from '../workflows/workflow-api';
import type { Task } from './task-api';
import { type StepOfRun, retryThroughRunText, runPath } from './task-step';

/**
 * "Step fetch of workflow run 1a2b3c4d", the run a link to its page (read for the workflow it is under: that
 * page is where the run is retried), and, where the task's own Retry would be, that the run is retried instead.
 */
export function StepOfRunNote({ task, step }: { task: Task; step: StepOfRun }) {
  const run = useQuery({ ...runQuery(step.runId), retry: false });
  const name = `workflow run ${step.runId.slice(0, 8)}`;
  const advice = retryThroughRunText(task);
  return (
    <Text size="sm" className="task-step-of" data-testid="task-step-of">
      Step <Code>{step.stepId ?? '?'}</Code> of{' '}
      {run.data ? (
        <Anchor component={Link} to={runPath(run.data.workflowId, step.runId)} title={step.runId}>
          {name}
        </Anchor>
      ) : (
        <span title={step.runId}>{name}</span>
      )}
      .{advice && ` ${advice}`}
    </Text>
  );
}
