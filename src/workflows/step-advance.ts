import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { evaluateCondition } from '../common/conditions/condition';
import type { TaskError, TaskStatus } from '../tasks/task';
import type { DefinitionIndex, StepRefs } from './definition-index';
import {
  FINAL_STEP_STATUSES,
  type StepState,
  type StepStatus,
  type WorkflowRunEntity,
} from './entities/workflow-run.entity';
import type { RunSlice } from './persistence/run-slices';
import { TemplateError } from './templates';
import type { WorkflowStep } from './workflow-definition';

/**
 * How many passes one advance makes, at most, that render again (the whole-run advance) or start nothing (the
 * step-by-step one): each past the first means the run changed while templates were evaluated outside its lock.
 */
export const MAX_RENDER_PASSES = 5;

export const STEP_OF_TASK: Record<TaskStatus, StepStatus> = {
  queued: 'queued',
  retrying: 'running',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  // Never run: for the run, the step failed.
  expired: 'failed',
};

/**
 * What starting a step came to: its task was created, it failed before one could be, it waits (approval and
 * wait steps), or it must wait for its rendering (undefined).
 */
export type StepStart = { taskId: string | null } | { error: TaskError } | { wait: Partial<StepState> } | undefined;

/** A step's rendered input, or why it could not be rendered, for one step and one context. */
export type Rendered = { input: unknown } | { error: TaskError };

export type StepContext = { input: unknown; steps: Record<string, { output: unknown; status: StepStatus }> };

/** How a step's task ended, as the run takes it in. */
export interface StepTaskEnd {
  stepId: string;
  taskId: string;
  status: TaskStatus;
  output: unknown;
  error: TaskError | null;
}

const isFinal = (state: StepState | undefined) => state !== undefined && FINAL_STEP_STATUSES.includes(state.status);

/**
 * Whether a step's end lets its run go on: it succeeded, or it failed or its task was cancelled on its own (a
 * failure of that step: its work was not done) and `continueOnFailure` excuses it. The steps after a step that
 * does not let the run go on are skipped, and the run fails.
 */
export function letsRunGoOn(status: StepStatus, step: Pick<WorkflowStep, 'continueOnFailure'> | undefined): boolean {
  return (
    status === 'succeeded' || ((status === 'failed' || status === 'cancelled') && step?.continueOnFailure === true)
  );
}

/** The context a step's templates and condition see: the run's input and the steps they read (all of them for `all`). */
export function contextOf(input: unknown, steps: Record<string, StepState>, refs: StepRefs): StepContext {
  const ids = refs === 'all' ? Object.keys(steps) : [...refs].filter((id) => steps[id]);
  return {
    input,
    steps: Object.fromEntries(ids.map((id) => [id, { output: steps[id].output, status: steps[id].status }])),
  };
}

/** JSON with every object's keys in one order: a value read back from a jsonb column has its keys reordered. */
const canonicalJson = configure({ deterministic: true });

/**
 * Identifies a rendering: the same step against the same context renders the same input. Keys in one order: a
 * context built from what was just written (a new run's input) and one read back under the lock are the same.
 */
export function renderKey(step: WorkflowStep, context: StepContext): string {
  return `${step.id}:${createHash('sha256').update(canonicalJson(context)).digest('base64url')}`;
}

/** A value without templates as rendering would give it back: a copy through JSON. */
export function plainRendering(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
}

/**
 * Some of a run's step states, read as needed: what one step-by-step advance looks at is the step that
 * ended, the steps depending on it, and what those read; `changed` is what it writes back.
 */
export class SliceView {
  readonly states: Record<string, StepState> = {};
  readonly changed = new Set<string>();

  constructor(
    readonly run: RunSlice,
    readonly index: DefinitionIndex,
    private readonly load: (stepIds: string[]) => Promise<Record<string, StepState>>,
  ) {}

  async need(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((id) => !Object.hasOwn(this.states, id) && this.index.byId.has(id));
    if (missing.length) Object.assign(this.states, await this.load(missing));
  }

  update(id: string, fields: Partial<StepState>): void {
    Object.assign(this.states[id], fields);
    if (fields.status !== undefined && fields.status !== 'pending') delete this.states[id].pendingDeps;
    this.changed.add(id);
  }
}

/**
 * Advances a run from what just changed: `ended` takes in step tasks' ends, `candidates` are pending steps
 * whose dependencies are known to be over (a rendering they waited for). Each step whose dependencies end is
 * counted down (`pendingDeps`), and decided (skipped, or started through `start`) once it reaches zero, after
 * checking its dependencies once; the steps decided to start together are started together (`start` is called
 * for all of them before any is awaited). Returns the steps `start` left undecided, how many steps ended here,
 * or `full` when a step reads every other step (the run is then advanced as a whole).
 */
export async function advanceSlice(
  view: SliceView,
  ended: readonly StepTaskEnd[],
  candidates: readonly string[],
  start: (step: WorkflowStep, context: StepContext) => Promise<StepStart>,
): Promise<{ waiting: string[]; ended: number } | 'full'> {
  const { index } = view;
  const over: string[] = [];
  // A step to look at, and (`from`) the dependency whose end is to be counted down, if any.
  const queue: { id: string; from?: string }[] = candidates.map((id) => ({ id }));
  // Steps counted from their dependencies here, with the dependencies over then: their ends are counted already.
  const counted = new Map<string, ReadonlySet<string>>();
  const ends = async (id: string) => {
    over.push(id);
    const dependents = index.dependents.get(id) ?? [];
    for (const dependent of dependents) queue.push({ id: dependent, from: id });
    // Read together: the 498 branches a step fans out to cost one statement, not 498.
    await view.need(dependents);
  };
  await view.need([...ended.flatMap((e) => [e.stepId, ...(index.dependents.get(e.stepId) ?? [])]), ...candidates]);
  for (const end of ended) {
    const state = view.states[end.stepId];
    if (state && state.taskId === end.taskId && !isFinal(state)) {
      const status = STEP_OF_TASK[end.status];
      const final = FINAL_STEP_STATUSES.includes(status);
      view.update(end.stepId, final ? { status, output: end.output ?? null, error: end.error } : { status });
      if (final) await ends(end.stepId);
    }
  }
  const waiting: string[] = [];
  // Steps decided to start in this wave: their starts run together (a fan-out's 498 renderings and tasks are
  // prepared at once), then what they came to is taken in, which may end steps and so begin another wave.
  const starting = new Set<string>();
  for (;;) {
    const wave: { step: WorkflowStep; context: StepContext }[] = [];
    for (let next = queue.shift(); next; next = queue.shift()) {
      await view.need([next.id]);
      const state = view.states[next.id];
      const step = index.byId.get(next.id);
      if (!state || !step || state.status !== 'pending' || starting.has(next.id)) continue;
      const deps = step.dependsOn ?? [];
      const countDown = next.from !== undefined && !counted.get(next.id)?.has(next.from);
      let left = state.pendingDeps === undefined ? undefined : state.pendingDeps - (countDown ? 1 : 0);
      if (left === undefined || left <= 0) {
        // Counted (again) from the dependencies themselves: once per step, when it may start (or the first time).
        await view.need(deps);
        const done = deps.filter((d) => isFinal(view.states[d]));
        counted.set(next.id, new Set(done));
        left = deps.length - done.length;
      }
      if (left > 0) {
        view.update(next.id, { pendingDeps: left });
        continue;
      }
      const refs = index.refs.get(next.id) ?? 'all';
      if (refs === 'all') return 'full';
      await view.need([...refs]);
      const context = contextOf(view.run.input, view.states, refs);
      const blocked = deps.some((d) => !letsRunGoOn(view.states[d].status, index.byId.get(d)));
      if (blocked || (step.when && !evaluateCondition(step.when, context))) {
        view.update(next.id, { status: 'skipped' });
        await ends(next.id);
        continue;
      }
      starting.add(next.id);
      wave.push({ step, context });
    }
    if (!wave.length) break;
    const started = await Promise.all(wave.map(({ step, context }) => start(step, context)));
    for (const [i, { step }] of wave.entries()) {
      const outcome = started[i];
      if (!outcome) {
        // A count left above zero is set to zero; one not there is counted again when next looked at, and
        // is not written: a fan-out's tail, left to later passes, is not written pass after pass.
        const { pendingDeps } = view.states[step.id];
        if (pendingDeps !== undefined && pendingDeps !== 0) view.update(step.id, { pendingDeps: 0 });
        waiting.push(step.id);
      } else if ('taskId' in outcome) view.update(step.id, { status: 'queued', taskId: outcome.taskId });
      else if ('error' in outcome) {
        view.update(step.id, { status: 'failed', error: outcome.error });
        await ends(step.id);
      } else return 'full';
    }
  }
  return { waiting, ended: over.length };
}

/** A template's failure as the step's error; anything else is thrown on. */
export function templateFailure(err: unknown): Rendered {
  if (!(err instanceof TemplateError)) throw err;
  return { error: { code: err.code, message: err.message } };
}

export function initialSteps(definition: WorkflowStep[]): Record<string, StepState> {
  return Object.fromEntries(
    definition.map((s) => [s.id, { status: 'pending' as const, taskId: null, output: null, error: null }]),
  );
}

/**
 * A run is over when every step is; it fails when a step failed, or had its task cancelled, that was not
 * allowed to (no `continueOnFailure`). Skipped steps are not counted: they follow a step counted already, or a
 * condition that did not hold. A run cancelled as a whole is ended by its cancel, never here.
 */
export function conclude(run: WorkflowRunEntity, index: DefinitionIndex): void {
  const states = Object.values(run.steps);
  if (!states.every((s) => FINAL_STEP_STATUSES.includes(s.status))) return;
  const failed = run.definition.some((s) => {
    const { status } = run.steps[s.id];
    return status !== 'skipped' && !letsRunGoOn(status, s);
  });
  run.status = failed ? 'failed' : 'succeeded';
  run.output = Object.fromEntries(
    run.definition
      .filter((s) => index.terminal.has(s.id) && run.steps[s.id].status === 'succeeded')
      .map((s) => [s.id, run.steps[s.id].output]),
  );
  run.finishedAt = new Date();
}
