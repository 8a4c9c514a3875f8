/**
 * The fields of each kind of step, checked as the server checks them (WorkflowStepDto and
 * src/workflows/step-shapes.ts): a task runs `input` on `agentId`, an approval waits for a decision (until
 * `timeoutMs`, by holders of `permission`), a wait waits `durationMs` or until `until`. The kinds, the fields
 * and the longest wait come from the API document (../../api/contract-values.ts, generated), which kind owns
 * which field from the server's own list.
 */
import { MAX_WAIT_MS, STEP_FIELDS, STEP_KINDS } from '../../api/contract-values';
import { STEP_OWN_FIELDS } from '../../../../src/workflows/step-own-fields';
import { type Problem, UUID, kind } from './definition-values';

type StepKind = (typeof STEP_KINDS)[number];

/** The fields only one kind of step has, and that kind (the server's list: the API document cannot say it). */
const OWN_FIELDS: Readonly<Record<string, StepKind>> = STEP_OWN_FIELDS;

/** A step's fields, as the API document names them. */
export const STEP_KEYS: readonly string[] = STEP_FIELDS;

/** The step's kind as the server reads it: `task` when left out; undefined when it names no kind. */
export function stepKindOf(step: Record<string, unknown>): StepKind | undefined {
  if (step.kind === undefined) return 'task';
  return STEP_KINDS.find((k) => k === step.kind);
}

function checkMs(value: unknown, at: string, problems: Problem[]): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_WAIT_MS)
    problems.push({ pointer: at, message: `must be a whole number of milliseconds from 1 to ${MAX_WAIT_MS}` });
}

export interface KindOptions {
  knownAgents?: ReadonlySet<string>;
}

/** The problems of the fields that depend on the step's kind. */
export function checkKindFields(
  step: Record<string, unknown>,
  at: string,
  options: KindOptions,
  problems: Problem[],
): void {
  const stepKind = stepKindOf(step);
  if (!stepKind) {
    problems.push({ pointer: `${at}/kind`, message: `must be one of ${STEP_KINDS.join(', ')}` });
    return;
  }
  for (const [field, owner] of Object.entries(OWN_FIELDS)) {
    if (owner !== stepKind && step[field] !== undefined)
      problems.push({ pointer: `${at}/${field}`, message: `only ${owner} steps have ${field}` });
  }
  if (stepKind === 'task') {
    if (step.agentId === undefined) problems.push({ pointer: `${at}/agentId`, message: 'is required' });
    else if (typeof step.agentId !== 'string' || !UUID.test(step.agentId)) {
      problems.push({ pointer: `${at}/agentId`, message: 'must be an agent id (a UUID)' });
    } else if (options.knownAgents && !options.knownAgents.has(step.agentId.toLowerCase())) {
      problems.push({ pointer: `${at}/agentId`, message: 'no agent with this id' });
    }
    if (step.input === undefined) problems.push({ pointer: `${at}/input`, message: 'is required' });
    else if (step.input === null) {
      problems.push({ pointer: `${at}/input`, message: 'must be a JSON value other than null (use {} for none)' });
    }
  } else if (stepKind === 'approval') {
    checkMs(step.timeoutMs, `${at}/timeoutMs`, problems);
    if (step.permission !== undefined && typeof step.permission !== 'string')
      problems.push({
        pointer: `${at}/permission`,
        message: `must be a permission (a string), not ${kind(step.permission)}`,
      });
  } else {
    checkMs(step.durationMs, `${at}/durationMs`, problems);
    if ((step.durationMs === undefined) === (step.until === undefined))
      problems.push({ pointer: `${at}/durationMs`, message: 'a wait step has either durationMs or until' });
    if (step.until !== undefined && !isTimeOrTemplate(step.until))
      problems.push({
        pointer: `${at}/until`,
        message:
          'must be an ISO 8601 date-time with its offset (Z or ±hh:mm), of a day that exists, in years 0001-9999, or a {{ template }}',
      });
  }
}

/** The first and the last instant a date may name, as the API reads them (0001-01-01 to 9999-12-31, UTC). */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** A day, or a time with its offset (`Z`, `+05:30`, `-0800`, `+01`), as the API reads a date (years 0001-9999). */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?))?$/i;

function isTimeOrTemplate(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 10_000) return false;
  if (/\{\{[\s\S]*\}\}/.test(value)) return true;
  const parts = ISO_TIME.exec(value);
  const time = Date.parse(value);
  // Years 0001-9999 once in UTC: 9999-12-31T23:00-05:00 is past them.
  if (!parts || !(time >= EARLIEST && time <= LATEST)) return false;
  // A day that exists: 2031-02-29 is not one (Date reads it as March 1st).
  const [year, month, day] = parts.slice(1, 4).map(Number) as [number, number, number];
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  return year >= 1 && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}
