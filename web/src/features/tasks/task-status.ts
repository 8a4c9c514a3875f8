import type { components } from '../../api/schema';

export type TaskStatus = components['schemas']['TaskDto']['status'];

export const STATUSES: readonly TaskStatus[] = [
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'cancelled',
  'expired',
];
export const CANCELLABLE: readonly TaskStatus[] = ['queued', 'running', 'retrying'];
export const RETRYABLE: readonly TaskStatus[] = ['failed', 'cancelled', 'expired'];
/** The statuses a task's run ends in: nothing more happens to it unless it is retried. */
export const FINAL: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];
