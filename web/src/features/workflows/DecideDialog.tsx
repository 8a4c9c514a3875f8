import { Text, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import { ApiError, errorMessage, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { DialogFailure } from '../../components/dialog-refusal';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { decisionRefusal } from './step-helpers';

export type Outcome = 'approve' | 'reject';

/** The approval step decided: its run (and the run's workflow, whose lists of runs change) and its id. */
export interface DecisionTarget {
  runId: string;
  workflowId: string;
  stepId: string;
}

/**
 * Approve or reject one waiting approval step, with an optional comment (asked about before it is discarded). A
 * step decided meanwhile (409) closes it with that said; any other refusal stays in it, with its code.
 */
export function DecideDialog({
  target,
  outcome,
  onClose,
  onDecided,
}: {
  target: DecisionTarget;
  outcome: Outcome;
  onClose: () => void;
  onDecided: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<DialogFailure | null>(null);
  const verb = outcome === 'approve' ? 'Approve' : 'Reject';
  const { runId, workflowId, stepId } = target;
  const title = `${verb} step ${stepId}`;
  // Only a comment is typed here; the decision itself is the button that opened the dialog.
  const unsaved = comment.trim() !== '' ? `The comment on step ${stepId}` : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const path = { runId, stepId };
    const body = comment.trim() ? { comment: comment.trim() } : {};
    try {
      const next = unwrap(
        outcome === 'approve'
          ? await api.POST('/api/v1/workflow-runs/{runId}/steps/{stepId}/approve', { params: { path }, body })
          : await api.POST('/api/v1/workflow-runs/{runId}/steps/{stepId}/reject', { params: { path }, body }),
      );
      // Whoever sees the run here gets it back; a reply of the decision alone (for deciders who may not read the
      // run) leaves the run to be read again.
      if ('steps' in next) queryClient.setQueryData(queryKeys.workflows.run(runId), next);
      else void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.run(runId) });
      void queryClient.invalidateQueries({ queryKey: ['workflows', 'runs', workflowId] });
      void queryClient.invalidateQueries({ queryKey: queryKeys.approvals.all });
      onDecided(`Step ${stepId} was ${outcome === 'approve' ? 'approved' : 'rejected'}.`);
    } catch (err) {
      const apiError = err instanceof ApiError ? err : null;
      if (apiError?.status === 409) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.run(runId) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.approvals.all });
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
          ? `The run goes on past step ${stepId}; its output says it was approved.`
          : `Step ${stepId} fails (APPROVAL_REJECTED); the steps after it run only if they continue on failure.`}
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
