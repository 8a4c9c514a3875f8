import { Alert, Anchor, Button, Code, Group, Stack, Text, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type RefObject, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ApiError, errorMessage, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useMe } from '../../app/session';
import type { DialogFailure } from '../../components/dialog-refusal';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { JsonView } from '../../components/JsonView';
import { StatusBadge } from '../../components/StatusBadge';
import { TimeAgo } from '../../components/TimeAgo';
import { keepFocusAfter } from '../../components/keep-focus';
import { decisionRefusal, decisionText, isDecidable, mayDecide, waitingFor } from './step-helpers';
import { browserTimeZone } from '../schedules/schedule-helpers';
import { type RunStep, type WorkflowRun, useWorkflowsWriteBlocked } from './workflow-api';

type Outcome = 'approve' | 'reject';

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
          run={run}
          step={step}
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

function DecideDialog({
  run,
  step,
  outcome,
  onClose,
  onDecided,
}: {
  run: WorkflowRun;
  step: RunStep;
  outcome: Outcome;
  onClose: () => void;
  onDecided: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<DialogFailure | null>(null);
  const verb = outcome === 'approve' ? 'Approve' : 'Reject';
  const title = `${verb} step ${step.id}`;
  // Only a comment is typed here; the decision itself is the button that opened the dialog.
  const unsaved = comment.trim() !== '' ? `The comment on step ${step.id}` : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const path = { runId: run.id, stepId: step.id };
    const body = comment.trim() ? { comment: comment.trim() } : {};
    try {
      const next = unwrap(
        outcome === 'approve'
          ? await api.POST('/api/v1/workflow-runs/{runId}/steps/{stepId}/approve', { params: { path }, body })
          : await api.POST('/api/v1/workflow-runs/{runId}/steps/{stepId}/reject', { params: { path }, body }),
      );
      // Whoever sees the run here gets it back; a reply of the decision alone (for deciders who may not read the
      // run) leaves the run to be read again.
      if ('steps' in next) queryClient.setQueryData(queryKeys.workflows.run(run.id), next);
      else void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.run(run.id) });
      void queryClient.invalidateQueries({ queryKey: ['workflows', 'runs', run.workflowId] });
      onDecided(`Step ${step.id} was ${outcome === 'approve' ? 'approved' : 'rejected'}.`);
    } catch (err) {
      const apiError = err instanceof ApiError ? err : null;
      if (apiError?.status === 409) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.run(run.id) });
        onDecided(decisionRefusal(409, apiError.message));
        return;
      }
      setFailure({
        message: apiError
          ? decisionRefusal(apiError.status, apiError.message)
          : errorMessage(err, 'The decision failed'),
        error: err,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormDialog title={title} unsaved={unsaved} onClose={onClose} onSubmit={submit}>
      <Text size="sm">
        {outcome === 'approve'
          ? `The run goes on past step ${step.id}; its output says it was approved.`
          : `Step ${step.id} fails (APPROVAL_REJECTED); the steps after it run only if they continue on failure.`}
      </Text>
      <Textarea
        label="Comment (optional)"
        description="Kept with the decision and in the audit log."
        maxLength={2000}
        autosize
        minRows={2}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        data-autofocus
      />
      <FormFooter
        notSaved={`The step was not ${outcome === 'approve' ? 'approved' : 'rejected'}`}
        failure={failure}
        hasFieldErrors={false}
        busy={busy}
        submitLabel={verb}
      />
    </FormDialog>
  );
}
