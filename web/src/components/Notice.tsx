import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';

/** What an action did, said politely (a status), until dismissed. */
export function Notice({ title, onDismiss, children }: { title?: string; onDismiss: () => void; children: ReactNode }) {
  return (
    <Alert
      color="green"
      variant="light"
      role="status"
      title={title}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onDismiss}
    >
      {children}
    </Alert>
  );
}
