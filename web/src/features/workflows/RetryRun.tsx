import { Alert, Button, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useAction } from '../../components/use-action';
import { isRetryable } from './step-helpers';
import { type WorkflowRun, useWorkflowsWriteBlocked } from './workflow-api';

/** "Retry failed steps" on a failed or cancelled run, for those who may change runs. */
export function RetryRun({ run, onRetried }: { run: WorkflowRun; onRetried: (message: string) => void }) {
  const blocked = useWorkflowsWriteBlocked();
  const queryClient = useQueryClient();
  const { busy, failure, run: act } = useAction('The retry failed');
  if (blocked || !isRetryable(run.status)) return null;
  const retry = () =>
    act(async () => {
      const next = unwrap(
        await api.POST('/api/v1/workflow-runs/{runId}/retry', { params: { path: { runId: run.id } } }),
      );
      queryClient.setQueryData(queryKeys.workflows.run(run.id), next);
      void queryClient.invalidateQueries({ queryKey: ['workflows', 'runs', run.workflowId] });
      onRetried('The run is running again: its failed, cancelled and skipped steps run anew.');
    });
  return (
    <Stack gap={4} align="flex-end" maw={320}>
      <Button variant="light" onClick={() => void retry()} loading={busy}>
        Retry failed steps
      </Button>
      <Text size="xs" c="dimmed" ta="right">
        Failed, cancelled and skipped steps run again; steps that succeeded keep their outputs and are not run again.
      </Text>
      {failure && (
        <Alert color="red" variant="light" role="alert" p="xs">
          {failure}
        </Alert>
      )}
    </Stack>
  );
}
