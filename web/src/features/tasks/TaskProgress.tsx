import { type TaskStatus, shownProgress } from './task-status';

/**
 * A task's progress: a native progress bar (no inline styles), named for assistive technology, or "No progress"
 * for a task that ended without any ({@link shownProgress}), the same in the list and on the task's page.
 */
export function TaskProgress({ task, label }: { task: { status: TaskStatus; progress: number }; label: string }) {
  const value = shownProgress(task);
  if (value === null) return <span className="task-progress-none">No progress</span>;
  const percent = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <span className="task-progress">
      <progress max={100} value={percent} aria-label={label} />
      <span className="task-progress-value">{percent}%</span>
    </span>
  );
}
