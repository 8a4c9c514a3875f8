import { Button, Stack } from '@mantine/core';
import { useRef, useState } from 'react';
import { StartedOperation } from './BulkTaskActions';
import { BulkDialog } from './BulkDialog';

/** "Retry all failed runs…" of one workflow: a bulk retry of its failed runs, counted first. */
export function RetryFailedRuns({ workflowId }: { workflowId: string }) {
  const [open, setOpen] = useState(false);
  const [started, setStarted] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  return (
    <Stack gap="xs" mb="xs">
      <Button ref={opener} variant="default" size="xs" w="fit-content" onClick={() => setOpen(true)}>
        Retry all failed runs…
      </Button>
      {started && <StartedOperation id={started} onDismiss={() => setStarted(null)} />}
      {open && (
        <BulkDialog
          action="retry"
          target={{ kind: 'workflow-runs', filter: { status: 'failed', workflowId } }}
          onClose={() => {
            setOpen(false);
            setTimeout(() => opener.current?.focus());
          }}
          onStarted={(op) => {
            setOpen(false);
            setStarted(op.id);
          }}
        />
      )}
    </Stack>
  );
}
