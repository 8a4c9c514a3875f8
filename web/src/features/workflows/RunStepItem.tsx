import { Alert, Anchor, Button, Code, Group, Stack, Text } from '@mantine/core';
import { type RefObject, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useMe } from '../../app/session';
import { JsonView } from '../../components/JsonView';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { keepFocusAfter } from '../../components/keep-focus';
import { DecideDialog, type Outcome } from './DecideDialog';
import { decisionText, isDecidable, mayDecide, waitingFor } from './step-helpers';
import { browserTimeZone } from '../schedules/schedule-helpers';
import { type RunStep, type WorkflowRun, useWorkflowsWriteBlocked } from './workflow-api';

/** One step of a run: its status, what it waits for, its decision, its task, error and output. */
export function RunStepItem({
  run,
  step,
  agent,
  onDecided,
}: {
  run: WorkflowRun;
  step: RunStep;
  agent: string;
  onDecided: (message: string) => void;
}) {
  const me = useMe();
  const long = step.output !== null && JSON.stringify(step.output).length > 400;
  const waits = waitingFor(step, browserTimeZone());
  const when = step.kind === 'wait' ? step.waitUntil : step.approvalDeadline;
  const name = useRef<HTMLParagraphElement>(null);
  return (
    <li data-step={step.id}>
      <Stack gap={6}>
        <Group gap="sm">
          <Text fw={700} ff="monospace" size="sm" ref={name} tabIndex={-1}>
            Step {step.id}
          </Text>
          <StatusBadge status={step.status} />
          <Text size="sm" c="dimmed">
            {step.kind === 'task' ? agent : step.kind === 'approval' ? 'approval' : 'wait'}
          </Text>
          {step.taskId && (
            <Anchor component={Link} to={`/tasks/${step.taskId}`} size="sm" aria-label={`Task of step ${step.id}`}>
              task {step.taskId.slice(0, 8)}
            </Anchor>
          )}
        </Group>
        {waits && (
          <Text size="sm" data-testid={`waiting-${step.id}`}>
            {waits}
            {when && (
              <>
                , <TimeAgo value={when} />
              </>
            )}
          </Text>
        )}
        {step.decision && (
          <Text size="sm" aria-label={`Decision on step ${step.id}`}>
            {decisionText(step.decision, (id) => (id === me.id ? 'you' : undefined))},{' '}
            <TimeAgo value={step.decision.at} />
            {step.decision.comment !== null && step.decision.comment !== '' && (
              <>
                : <q>{step.decision.comment}</q>
              </>
            )}
          </Text>
        )}
        <DecideButtons run={run} step={step} onDecided={onDecided} stepName={name} />
        {step.error && (
          <Alert color="red" variant="light" p="xs" title={`Step ${step.id} failed`}>
            <Text size="sm">
              <Code>{step.error.code}</Code> {step.error.message}
            </Text>
          </Alert>
        )}
        {step.output !== null && <JsonView label={`Output of ${step.id}`} value={step.output} collapsed={long} />}
      </Stack>
    </li>
  );
}

function DecideButtons({
  run,
  step,
  onDecided,
  stepName,
}: {
  run: WorkflowRun;
  step: RunStep;
  onDecided: (message: string) => void;
  /** Where focus goes once the step is decided and its buttons are gone. */
  stepName: RefObject<HTMLElement | null>;
}) {
  const me = useMe();
  const buttons = useRef<HTMLDivElement>(null);
  const blocked = useWorkflowsWriteBlocked();
  const [deciding, setDeciding] = useState<Outcome | null>(null);
  const decidable = isDecidable(step, run.status);
  if (decidable && !mayDecide(step, run, me)) {
    return (
      <Text size="sm" c="dimmed" data-testid={`deciders-${step.id}`}>
        {step.permission ? `Decided by holders of ${step.permission}.` : 'Decided by the run’s creator or an admin.'}
      </Text>
    );
  }
  if (blocked) return null;
  // A dialog already open stays open when the step is decided meanwhile: sending then says so (409).
  return (
    <>
      {decidable && (
        <Group gap="xs" ref={buttons}>
          <Button size="xs" variant="default" onClick={() => setDeciding('approve')}>
            Approve
          </Button>
          <Button size="xs" color="red" variant="light" onClick={() => setDeciding('reject')}>
            Reject
          </Button>
        </Group>
      )}
      {deciding && (
        <DecideDialog
          target={{ runId: run.id, workflowId: run.workflowId, stepId: step.id }}
          outcome={deciding}
          onClose={() => setDeciding(null)}
          onDecided={(message) => {
            // The trigger, whichever of the two it was, is gone with the buttons once the step is decided.
            keepFocusAfter(
              () => buttons.current,
              () => stepName.current,
            );
            setDeciding(null);
            onDecided(message);
          }}
        />
      )}
    </>
  );
}
