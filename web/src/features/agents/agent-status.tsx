import './agents.css';

/** An agent's state as word and colour (active green, paused amber), AA contrast on any background. */
export function AgentStatusBadge({ status }: { status: string }) {
  return (
    <span className="state-pill agent-status" data-status={status}>
      {status}
    </span>
  );
}
