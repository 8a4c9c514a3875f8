import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { queryKeys } from '../../api/query-keys';
import { Notice } from '../../components/Notice';
import { BulkProgress } from './BulkProgress';
import { BulkDialog } from './BulkDialog';
import { bulkQuery } from './bulk-api';
import { type BulkAction, type BulkTaskFilter, allowedActions, isRunning } from './bulk-helpers';

/** "Retry all matching…" and "Cancel all matching…" for a filtered task list, then the operation's progress. */
export function BulkTaskActions({ filter }: { filter: BulkTaskFilter }) {
  const [action, setAction] = useState<BulkAction | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const actions = allowedActions(filter.status);
  if (actions.length === 0 && !started) return null;
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {actions.map((a) => (
          <Button
            key={a}
            variant="default"
            size="xs"
            onClick={(e) => {
              opener.current = e.currentTarget;
              setAction(a);
            }}
          >
            {a === 'retry' ? 'Retry all matching…' : 'Cancel all matching…'}
          </Button>
        ))}
      </Group>
      {started && <StartedOperation id={started} onDismiss={() => setStarted(null)} />}
      {action && (
        <BulkDialog
          action={action}
          target={{ kind: 'tasks', filter }}
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

export function StartedOperation({ id, onDismiss }: { id: string; onDismiss: () => void }) {
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
