import { Skeleton } from '@mantine/core';
import { Suspense } from 'react';
import { lazyRetrying } from '../../components/lazy-retrying';

/** The form (and its JSON-Schema renderer) is its own chunk, loaded when opened. */
const NewTaskForm = lazyRetrying(async () => ({ default: (await import('./NewTaskForm')).NewTaskForm }));

export function NewTaskPage() {
  return (
    <Suspense fallback={<Skeleton role="progressbar" height={240} aria-label="Loading the form" />}>
      <NewTaskForm />
    </Suspense>
  );
}
