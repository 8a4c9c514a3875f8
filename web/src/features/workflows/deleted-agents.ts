/**
 * Task steps whose agent was deleted after the workflow was saved (the API lists them as the workflow's
 * `stepsWithDeletedAgent`): a run of such a workflow is refused (409 `CONFLICT`) until the steps are changed.
 */

const STEP_IDS_SHOWN = 5;

/** "step a", "steps a and b", "steps a, b, c, d, e and 7 more": the steps named, the longest lists cut short. */
export function stepList(stepIds: string[]): string {
  const shown = stepIds.slice(0, STEP_IDS_SHOWN);
  const rest = stepIds.length - shown.length;
  const noun = stepIds.length === 1 ? 'step' : 'steps';
  if (rest > 0) return `${noun} ${shown.join(', ')} and ${rest} more`;
  if (shown.length === 1) return `${noun} ${shown[0]}`;
  return `${noun} ${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** Why the workflow cannot run: "The agent of step a has been deleted"; null when it can. */
export function deletedAgentReason(stepIds: string[]): string | null {
  return stepIds.length ? `The agent of ${stepList(stepIds)} has been deleted` : null;
}

/** The graph's problems of the steps named (by their index in `steps`): "agent deleted". */
export function deletedAgentProblems(steps: { id: string }[], stepIds: string[]): Map<number, string[]> {
  const deleted = new Set(stepIds);
  return new Map(steps.flatMap((step, index) => (deleted.has(step.id) ? [[index, ['agent deleted']]] : [])));
}

/**
 * Which of the agents named (by a workflow's triggers) were deleted, as the list of live agents tells: an id
 * missing from the whole list is an agent deleted since; one missing from a list cut short (more agents than it
 * holds) is `unsure`, to ask for on its own. Nothing is known while the list is not there.
 */
export function agentsGone(
  agentIds: string[],
  live: { items: { id: string }[]; total: number } | undefined,
): { gone: Set<string>; unsure: string[] } {
  if (!live) return { gone: new Set(), unsure: [] };
  const known = new Set(live.items.map((agent) => agent.id));
  const missing = [...new Set(agentIds)].filter((id) => !known.has(id));
  return live.items.length >= live.total
    ? { gone: new Set(missing), unsure: [] }
    : { gone: new Set(), unsure: missing };
}
