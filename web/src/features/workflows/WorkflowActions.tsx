import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { ApiError, toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DisabledButton } from '../../components/DisabledButton';
import { ErrorState } from '../../components/ErrorState';
import { useShown } from '../../components/use-shown';
import { parseDefinition } from './json-syntax';
import { type Workflow, useWorkflowChangeBlocked, useWorkflowsWriteBlocked } from './workflow-api';

type StartRunInput = components['schemas']['StartRunDto']['input'];

/**
 * A workflow's actions: Run for whoever holds workflows:write; Edit and Delete for its creator and admins,
 * disabled with the reason for anyone else (the API would refuse them). `runBlocked` disables Run with its
 * reason when the API would refuse to start a run (a step's agent was deleted).
 */
export function WorkflowActions({ workflow, runBlocked = null }: { workflow: Workflow; runBlocked?: string | null }) {
  const writeBlocked = useWorkflowsWriteBlocked();
  const changeBlocked = useWorkflowChangeBlocked(workflow);
  const navigate = useNavigate();
  const shown = useShown();
  const queryClient = useQueryClient();

  if (writeBlocked) {
    return (
      <Text size="sm" c="dimmed" maw={280}>
        Running, editing and deleting workflows needs the workflows:write permission.
      </Text>
    );
  }

  const remove = async () => {
    // A 204 has no envelope to unwrap: only a refusal has something to say.
    const result = await api.DELETE('/api/v1/workflows/{id}', { params: { path: { id: workflow.id } } });
    if (!result.response.ok) throw toApiError(result.error, result.response);
    queryClient.removeQueries({ queryKey: queryKeys.workflows.detail(workflow.id) });
    await queryClient.invalidateQueries({ queryKey: [...queryKeys.workflows.all, 'list'] });
    // Unless the user went elsewhere meanwhile (the answer was slow): the page they are on stays.
    if (shown.current)
      void navigate('/workflows', { state: { notice: `Deleted “${workflow.name}”: its runs stay readable.` } });
  };

  return (
    <Stack gap={4} align="flex-end">
      <Group gap="xs">
        <RunButton workflow={workflow} blocked={runBlocked} />
        {changeBlocked ? (
          <DisabledButton label="Edit" reason={changeBlocked} variant="default" />
        ) : (
          <Button variant="default" component={Link} to={`/workflows/${workflow.id}/edit`}>
            Edit
          </Button>
        )}
        <ConfirmButton
          label="Delete workflow"
          confirmLabel="Delete the workflow"
          consequence={`Workflow “${workflow.name}” is deleted and can no longer be run; its past runs stay readable.`}
          disabledReason={changeBlocked ?? undefined}
          onConfirm={remove}
        />
      </Group>
      {changeBlocked && (
        // As wide as the buttons above it (it wraps), so that they keep the place they have without it.
        <Text size="sm" c="dimmed" ta="right" className="wf-actions-reason">
          {runBlocked ? `${changeBlocked}.` : `${changeBlocked}; you can still run it.`}
        </Text>
      )}
    </Stack>
  );
}

/**
 * "Run": the run's input as JSON (workflows declare no input schema), started, then followed on its page; or,
 * when `blocked`, the reason the API would refuse it instead.
 */
function RunButton({ workflow, blocked }: { workflow: Workflow; blocked: string | null }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('{}');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const parsed = parseDefinition(text);
    if (!parsed.ok) {
      const at = parsed.error.line !== undefined ? `Line ${parsed.error.line}, column ${parsed.error.column}: ` : '';
      setFieldError(`${at}${parsed.error.message}`);
      return;
    }
    setFieldError(null);
    setBusy(true);
    try {
      const run = unwrap(
        await api.POST('/api/v1/workflows/{id}/runs', {
          params: { path: { id: workflow.id } },
          body: { input: parsed.value as StartRunInput },
        }),
      );
      queryClient.setQueryData(queryKeys.workflows.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.runs(workflow.id).slice(0, 3) });
      void navigate(`/workflows/${workflow.id}/runs/${run.id}`);
    } catch (err) {
      const inputErrors = err instanceof ApiError ? err.details.filter((d) => d.field?.startsWith('/input')) : [];
      if (inputErrors.length) setFieldError(inputErrors.map((d) => `${d.field}: ${d.message}`).join('; '));
      // A step's agent deleted since the workflow was read: read it again, and the page says which step.
      if (err instanceof ApiError && err.status === 409)
        void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.detail(workflow.id) });
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {blocked ? <DisabledButton label="Run" reason={blocked} /> : <Button onClick={() => setOpen(true)}>Run</Button>}
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title={`Run ${workflow.name}`}
        centered
        size="lg"
        lockScroll={false}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <form onSubmit={(e) => void start(e)}>
          <Stack>
            <Textarea
              label="Input"
              description='Any JSON value; the steps read it as "{{ input.<field> }}". Leave {} for none.'
              autosize
              minRows={4}
              maxRows={16}
              className="code-input"
              spellCheck={false}
              value={text}
              error={fieldError}
              onChange={(e) => setText(e.currentTarget.value)}
              data-autofocus
            />
            {failure !== null && <ErrorState title="The run was not started" error={failure} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)}>
                Close
              </Button>
              <Button type="submit" loading={busy} disabled={!!blocked}>
                Start run
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
