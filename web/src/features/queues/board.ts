/** Where the queue board lives (the board cookie is scoped to this path). */
export const BOARD_PATH = '/admin/queues';

/** Whether a user may open the queue board (the API refuses a board session to anyone else). */
export function canOpenBoard(permissions: readonly string[]): boolean {
  return permissions.includes('queues:manage');
}

/**
 * The board's address to go to: the path the API answered when it is a path of this origin under the board,
 * else the known one (never another origin).
 */
export function boardUrl(path: string | undefined): string {
  if (!path || !path.startsWith(BOARD_PATH) || path.startsWith('//')) return BOARD_PATH;
  const rest = path.slice(BOARD_PATH.length);
  return rest === '' || rest.startsWith('/') || rest.startsWith('?') ? path : BOARD_PATH;
}

/** What the user may do on the board, in words, from the board session's `readOnly`. */
export function boardModeText(readOnly: boolean): string {
  return readOnly
    ? 'Read-only: you can look at the queue and its jobs, but not change them.'
    : 'Writable: you can retry, promote and clean jobs and pause the queue; every change is audited.';
}

export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
export type QueueDepth = Record<(typeof QUEUE_STATES)[number], number>;

/** The job counts, in the board's order, with their labels. */
export function depthRows(depth: QueueDepth): { state: string; label: string; count: string }[] {
  return QUEUE_STATES.map((state) => ({
    state,
    label: state[0].toUpperCase() + state.slice(1),
    count: (depth[state] ?? 0).toLocaleString('en'),
  }));
}
