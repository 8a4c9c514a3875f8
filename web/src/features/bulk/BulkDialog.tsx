import { Alert, Checkbox, Loader, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import type { DialogFailure } from '../../components/dialog-refusal';
import { ErrorReference } from '../../components/ErrorState';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { dryRun, start } from './bulk-api';
import { type BulkAction, type BulkOperation, type BulkTarget, matchedText, needsAll } from './bulk-helpers';

/**
 * "Retry all matching…" / "Cancel all matching…": counts the tasks (or runs) first (a dry run), says how many, asks for the
 * "all" confirmation when the server wants it (a filter that narrows by status only), then starts the operation.
 */
export function BulkDialog({
  action,
  target,
  onClose,
  onStarted,
}: {
  action: BulkAction;
  target: BulkTarget;
  onClose: () => void;
  onStarted: (op: BulkOperation) => void;
}) {
  const [all, setAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<DialogFailure | null>(null);
  const count = useQuery({
    queryKey: ['bulk-operations', 'dry-run', target, action, all],
    queryFn: () => dryRun(target, action, all),
    retry: false,
    gcTime: 0,
  });
  const verb = action === 'retry' ? 'Retry' : 'Cancel';
  const noun = target.kind === 'tasks' ? 'task' : 'run';
  const nouns = target.kind === 'tasks' ? 'tasks' : 'workflow runs';
  const refusal = count.error instanceof ApiError ? count.error : null;
  const askAll = Boolean(refusal && needsAll(refusal.details)) && !all;
  const matched = count.data;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!matched) return;
    setBusy(true);
    setFailure(null);
    try {
      onStarted(await start(target, action, all));
    } catch (err) {
      const details = err instanceof ApiError ? err.details.map((d) => `${d.field ?? ''} ${d.message}`.trim()) : [];
      setFailure({ message: [errorMessage(err, 'The operation did not start'), ...details].join('; '), error: err });
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormDialog title={`${verb} all matching ${nouns}`} onClose={onClose} onSubmit={submit}>
      <Text size="sm">
        {target.kind === 'workflow-runs'
          ? action === 'retry'
            ? 'Each failed or cancelled run that matches runs its failed steps again; succeeded steps keep their outputs.'
            : 'Each running run that matches is cancelled.'
          : action === 'retry'
            ? "Each failed or cancelled task that matches the filters is queued again, as its own Retry does; a workflow run's step task is left out (retry its run instead)."
            : 'Each queued, running or retrying task that matches the filters is cancelled; running ones are stopped.'}{' '}
        It runs in the background; its progress is on the Bulk operations page.
      </Text>
      {(askAll || all) && (
        <Alert color="yellow" variant="light" title="This filter narrows by status only" role="alert">
          <Text size="sm" mb="xs">
            Without another filter (agent, error code, tag, time) the action applies to every {noun} of this status that
            you may reach: confirm that this is meant.
          </Text>
          <Checkbox
            label={`Yes, ${action} all of them`}
            checked={all}
            onChange={(e) => setAll(e.currentTarget.checked)}
          />
        </Alert>
      )}
      {count.isPending ? (
        <Group gap="xs" role="status">
          <Loader size="xs" />
          <Text size="sm">Counting the matching {nouns}…</Text>
        </Group>
      ) : askAll ? null : count.isError ? (
        <Alert color="red" variant="light" title="Could not count them" role="alert">
          {count.error.message}
          {refusal?.details.map((d) => (
            <Text size="sm" key={`${d.field}${d.message}`}>
              {d.field} {d.message}
            </Text>
          ))}
          <ErrorReference error={count.error} />
        </Alert>
      ) : (
        <Text fw={600} role="status">
          {matchedText(count.data, noun)}
          {count.data === 0 ? ': nothing to do.' : '.'}
        </Text>
      )}
      <FormFooter
        notSaved="The operation did not start"
        failure={failure}
        hasFieldErrors={false}
        busy={busy}
        submitLabel={
          matched ? `${verb} ${new Intl.NumberFormat('en').format(matched)} ${matched === 1 ? noun : `${noun}s`}` : verb
        }
        submitDisabled={!matched}
      />
    </FormDialog>
  );
}
