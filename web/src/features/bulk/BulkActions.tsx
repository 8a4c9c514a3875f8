import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { queryKeys } from '../../api/query-keys';
import { Notice } from '../../components/Notice';
import { BulkDialog } from './BulkDialog';
import { BulkProgress } from './BulkProgress';
import { bulkQuery } from './bulk-api';
import { type BulkAction, type BulkTarget, type BulkTaskFilter, allowedActions, isRunning } from './bulk-helpers';

const LABELS: Record<BulkAction, string> = { retry: 'Retry all matching…', cancel: 'Cancel all matching…' };

/** "Retry all matching…" and "Cancel all matching…" for a filtered task list, then the operation's progress. */
export function BulkTaskActions({ filter }: { filter: BulkTaskFilter }) {
  const actions = allowedActions(filter.status).map((action) => ({ action, label: LABELS[action] }));
  return <BulkLauncher target={{ kind: 'tasks', filter }} actions={actions} />;
}

/** "Retry all failed runs…" of one workflow: a bulk retry of its failed runs, counted first. */
export function RetryFailedRuns({ workflowId }: { workflowId: string }) {
  return (
    <BulkLauncher
      target={{ kind: 'workflow-runs', filter: { status: 'failed', workflowId } }}
      actions={[{ action: 'retry', label: 'Retry all failed runs…' }]}
    />
  );
}

/** Buttons that open the bulk dialog (focus goes back to the button after), then the started operation's progress. */
function BulkLauncher({ target, actions }: { target: BulkTarget; actions: { action: BulkAction; label: string }[] }) {
  const [action, setAction] = useState<BulkAction | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  if (actions.length === 0 && !started) return null;
  return (
    <Stack gap="xs" mb="xs">
      <Group gap="xs">
        {actions.map(({ action: a, label }) => (
          <Button
            key={a}
            variant="default"
            size="xs"
            onClick={(e) => {
              opener.current = e.currentTarget;
              setAction(a);
            }}
          >
            {label}
          </Button>
        ))}
      </Group>
      {started && <StartedOperation id={started} onDismiss={() => setStarted(null)} />}
      {action && (
        <BulkDialog
          action={action}
          target={target}
          onClose={() => {
            setAction(null);
            setTimeout(() => opener.current?.focus());
          }}
          onStarted={(op) => {
            setAction(null);
            setStarted(op.id);
          }}
        />
      )}
    </Stack>
  );
}

function StartedOperation({ id, onDismiss }: { id: string; onDismiss: () => void }) {
  const queryClient = useQueryClient();
  const op = useQuery(bulkQuery(id));
  const running = op.data ? isRunning(op.data) : true;
  // The lists show the changed tasks and runs once the operation is over.
  useEffect(() => {
    if (running) return;
    void queryClient.invalidateQueries({ queryKey: queryKeys.tasks.all });
    void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.all });
  }, [running, queryClient]);
  return (
    <Notice title="Bulk operation started" onDismiss={onDismiss}>
      <Stack gap={6}>
        {op.data ? <BulkProgress op={op.data} /> : <Text size="sm">Starting…</Text>}
        <Anchor component={Link} to={`/bulk-operations/${id}`} size="sm">
          Follow it on the Bulk operations page
        </Anchor>
      </Stack>
    </Notice>
  );
}
