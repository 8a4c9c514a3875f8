/** What revoking a key would stop besides it (`GET /api-keys/:id/revocation`). */
export interface RevocationCounts {
  pausedSchedules: number;
  disabledWebhooks: number;
  pausedWorkflowTriggers: number;
}

const counted = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/**
 * What the revoke dialog says of what the key set running, and what happens to it: counted once known, else
 * in general words (while they are counted, or when they could not be).
 */
export function revocationText(counts: RevocationCounts | undefined, keepRunning: boolean): string {
  if (!counts)
    return `The schedules, webhooks and workflow triggers it created or last changed ${keepRunning ? 'keep running' : 'are paused or disabled with it'}.`;
  const parts = [
    counts.pausedSchedules ? counted(counts.pausedSchedules, 'running schedule', 'running schedules') : null,
    counts.disabledWebhooks ? counted(counts.disabledWebhooks, 'webhook endpoint', 'webhook endpoints') : null,
    counts.pausedWorkflowTriggers
      ? counted(counts.pausedWorkflowTriggers, 'workflow’s triggers', 'workflows’ triggers')
      : null,
  ].filter((part): part is string => part !== null);
  if (!parts.length)
    return 'It set nothing running: no schedule, webhook or workflow trigger was made or changed with it.';
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0];
  const one = counts.pausedSchedules + counts.disabledWebhooks + counts.pausedWorkflowTriggers === 1;
  const fate = keepRunning
    ? `${one ? 'it keeps' : 'they keep'} running`
    : `${one ? 'it is' : 'they are'} paused or disabled with it`;
  return `It created or last changed ${list}: ${fate}.`;
}

/**
 * Whether the dialog offers to keep running what the key set running: not once the counts say it set nothing
 * (while they are counted, or when they could not be, it does).
 */
export function offersKeepRunning(counts: RevocationCounts | undefined): boolean {
  return !counts || counts.pausedSchedules + counts.disabledWebhooks + counts.pausedWorkflowTriggers > 0;
}
