/** A native progress bar (no inline styles), named for assistive technology. */
export function TaskProgress({ value, label }: { value: number; label: string }) {
  const percent = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <span className="task-progress">
      <progress max={100} value={percent} aria-label={label} />
      <span className="task-progress-value">{percent}%</span>
    </span>
  );
}
