import { FINAL, type TaskStatus } from './task-status';

/** Why a task has no attempt: each holds on its own, and a task may wait for several of them at once. */
export type NoAttemptReason =
  /** It was sent with a start time (`runAt`) still to come: no worker takes it before then. */
  | { kind: 'not-before'; at: string }
  /** Its agent is paused: queued tasks wait until it is resumed. */
  | { kind: 'agent-paused'; agentId: string; agentName: string }
  /** No worker is connected to the task queue (known to those who may read the system's state). */
  | { kind: 'no-workers' }
  /** Nothing in the way that the console can see: a worker has yet to take it. */
  | { kind: 'waiting' }
  /** It ended (cancelled, expired) before any worker took it. */
  | { kind: 'ended'; status: TaskStatus };

/**
 * Why a task without attempts has none: what the page knows of its agent (null while unknown) and of the workers
 * (null when the user may not read them, or while unknown), and when it may start (`nextAttemptAt`: its `runAt`).
 */
export function noAttemptReasons(
  status: TaskStatus,
  agent: { id: string; name: string; status: 'active' | 'paused' } | null,
  workers: number | null,
  notBefore: string | null = null,
  now = Date.now(),
): NoAttemptReason[] {
  if (FINAL.includes(status)) return [{ kind: 'ended', status }];
  const reasons: NoAttemptReason[] = [];
  if (notBefore !== null && Date.parse(notBefore) > now) reasons.push({ kind: 'not-before', at: notBefore });
  if (agent?.status === 'paused') reasons.push({ kind: 'agent-paused', agentId: agent.id, agentName: agent.name });
  if (workers === 0) reasons.push({ kind: 'no-workers' });
  return reasons.length ? reasons : [{ kind: 'waiting' }];
}

/** "was cancelled", "expired": how a task ended, in a sentence. */
export function endedWords(status: TaskStatus): string {
  return status === 'cancelled' ? 'was cancelled' : status;
}
