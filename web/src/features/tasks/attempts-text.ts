import type { components } from '../../api/schema';
import { FINAL } from './task-status';

type Counted = Pick<components['schemas']['TaskDto'], 'status' | 'attempts' | 'attemptOffset' | 'maxAttempts'>;

/**
 * A task's attempts in words: while it may still run, where its current run stands against the attempts a run
 * may make ("attempt 2 of 3"); once it ended, how many its run took, with no "of 3" that would suggest more to
 * come. Attempts of earlier runs (before a retry) are added as "in all".
 */
export function attemptsText(task: Counted): string {
  const run = task.attempts - task.attemptOffset;
  const inAll = task.attemptOffset > 0 ? ` (${task.attempts} in all)` : '';
  if (FINAL.includes(task.status)) return `${run} ${run === 1 ? 'attempt' : 'attempts'}${inAll}`;
  if (run === 0) return `no attempt yet, at most ${task.maxAttempts}${inAll}`;
  return `attempt ${run} of ${task.maxAttempts}${inAll}`;
}
