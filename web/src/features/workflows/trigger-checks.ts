/**
 * A workflow's `triggers`, checked as the server checks them (WorkflowTriggerDto and
 * src/workflows/triggers/trigger-definition.ts) as far as the editor knows: the events, which of `agentId` and
 * `workflowId` each takes, no trigger twice, and agents that exist. Whether a workflow named exists, and is not
 * this one, the server says. The events, the fields and how many triggers may be declared come from the API
 * document (../../api/contract-values.ts, generated).
 */
import { MAX_TRIGGERS, TRIGGER_FIELDS, TRIGGER_EVENTS as EVENTS } from '../../api/contract-values';
import { type Problem, UUID, isObject, kind } from './definition-values';

const TRIGGER_EVENTS: readonly string[] = EVENTS;
const TRIGGER_KEYS: readonly string[] = TRIGGER_FIELDS;

export function checkTriggers(
  triggers: unknown,
  knownAgents: ReadonlySet<string> | undefined,
  problems: Problem[],
): void {
  if (triggers === undefined) return;
  if (!Array.isArray(triggers)) {
    problems.push({ pointer: '/triggers', message: `must be an array of triggers, not ${kind(triggers)}` });
    return;
  }
  if (triggers.length > MAX_TRIGGERS)
    problems.push({ pointer: '/triggers', message: `must have at most ${MAX_TRIGGERS} triggers` });
  const seen = new Map<string, number>();
  triggers.forEach((trigger: unknown, i) => {
    const at = `/triggers/${i}`;
    if (!isObject(trigger)) {
      problems.push({ pointer: at, message: `must be an object {on, agentId?, workflowId?}, not ${kind(trigger)}` });
      return;
    }
    for (const key of Object.keys(trigger))
      if (!TRIGGER_KEYS.includes(key))
        problems.push({ pointer: `${at}/${key}`, message: `is not a trigger field (${TRIGGER_KEYS.join(', ')})` });
    const { on, agentId, workflowId } = trigger;
    for (const [field, value] of [
      ['agentId', agentId],
      ['workflowId', workflowId],
    ] as const)
      if (value !== undefined && (typeof value !== 'string' || !UUID.test(value)))
        problems.push({
          pointer: `${at}/${field}`,
          message: `must be ${field === 'agentId' ? 'an agent' : 'a workflow'} id (a UUID)`,
        });
    if (typeof on !== 'string' || !TRIGGER_EVENTS.includes(on)) {
      problems.push({ pointer: `${at}/on`, message: `must be one of ${TRIGGER_EVENTS.join(', ')}` });
      return;
    }
    if (on.startsWith('run.')) {
      if (workflowId === undefined)
        problems.push({ pointer: `${at}/workflowId`, message: 'run events need workflowId' });
      if (agentId !== undefined) problems.push({ pointer: `${at}/agentId`, message: 'only task events take agentId' });
    } else {
      if (workflowId !== undefined)
        problems.push({ pointer: `${at}/workflowId`, message: 'only run events take workflowId' });
      else if (
        typeof agentId === 'string' &&
        knownAgents &&
        UUID.test(agentId) &&
        !knownAgents.has(agentId.toLowerCase())
      )
        problems.push({ pointer: `${at}/agentId`, message: 'no agent with this id' });
    }
    const key = `${on}|${String(agentId ?? '')}|${String(workflowId ?? '')}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push({ pointer: at, message: `duplicates trigger ${first}` });
    else seen.set(key, i);
  });
}
