/** A task or a workflow run reaching a final status: what webhooks deliver and workflow triggers start on. */
export const CONCLUSION_EVENTS = [
  'task.succeeded',
  'task.failed',
  'task.cancelled',
  'task.expired',
  'run.succeeded',
  'run.failed',
  'run.cancelled',
] as const;
export type ConclusionEvent = (typeof CONCLUSION_EVENTS)[number];
