import type { Task } from '../tasks/task';
import { type DefinitionIndex, definitionIndexOf } from './definition-index';
import type { StepState, WorkflowRunEntity } from './entities/workflow-run.entity';
import type { RunSlice } from './persistence/run-slices';
import type { RunTransaction } from './persistence/workflow-run.repository';
import type { RunEvents, RunSlices, RunStore, StepTaskSubmission } from './ports';
import { advanceSlice, type Rendered, renderKey, SliceView, type StepTaskEnd } from './step-advance';
import { isTaskStep } from './workflow-definition';
import type { WorkflowEngine } from './workflow-engine';

/** Passes of one advance; each one past the first means the run changed while templates were evaluated. */
const MAX_PASSES = 5;

/** What one step-by-step advance did, once committed. */
type Stepped =
  | { kind: 'full' }
  | { kind: 'none' }
  | { kind: 'stepped'; slice: RunSlice; steps: Record<string, StepState>; created: Task[]; waiting: string[] }
  | { kind: 'concluded'; run: WorkflowRunEntity; created: Task[] };

/**
 * Advances a run after one of its step tasks ended, looking only at what that changed: the step, the steps
 * that depend on it (each counting down its dependencies still open), and the outputs their templates read.
 * The cost of an event is the same at the 500th step as at the 5th. Runs with approval or wait steps, and
 * steps whose templates read the steps as a whole, are advanced by the engine's whole-run pass instead.
 */
export class RunStepper {
  constructor(
    private readonly engine: Pick<WorkflowEngine, 'advance' | 'render' | 'stepTask' | 'concludeIn'>,
    private readonly runs: RunStore & RunSlices,
    private readonly submission: StepTaskSubmission,
    private readonly events: RunEvents,
    private readonly concluded: (run: WorkflowRunEntity) => Promise<void>,
  ) {}

  /** Ends waiting for a run's advance in flight in this process, by run: they go together in the next one. */
  private readonly next = new Map<string, { tasks: Task[]; done: Promise<void> }>();
  private readonly inFlight = new Map<string, Promise<void>>();

  /**
   * Takes a step task's end into its run. Ends of one run arriving while an advance of it is under way here are
   * taken in together by the next one: the run's row lock is then taken once for many ends (a fan-in's
   * branches), not once per end.
   */
  afterTask(runId: string, task: Task): Promise<void> {
    const waiting = this.next.get(runId);
    if (waiting) {
      waiting.tasks.push(task);
      return waiting.done;
    }
    const tasks = [task];
    const previous = this.inFlight.get(runId) ?? Promise.resolve();
    const done = previous.then(() => {
      this.next.delete(runId);
      return this.advanceAfter(runId, tasks);
    });
    this.next.set(runId, { tasks, done });
    const settled = done.catch(() => undefined);
    this.inFlight.set(runId, settled);
    void settled.then(() => {
      if (this.inFlight.get(runId) === settled) this.inFlight.delete(runId);
    });
    return done;
  }

  private async advanceAfter(runId: string, tasks: Task[]): Promise<void> {
    const first = await this.runs.readSlice(runId);
    if (!first || first.status !== 'running') return;
    const index = await this.indexOf(first);
    if (!index.taskOnly || tasks.some((t) => !t.stepId)) return void (await this.engine.advance(runId));
    let ended: StepTaskEnd[] = tasks.map((task) => ({
      stepId: task.stepId!,
      taskId: task.id,
      status: task.status,
      output: task.output,
      error: task.error,
    }));
    let candidates: string[] = [];
    for (let pass = 0; pass < MAX_PASSES; pass += 1) {
      const starting = [...ended.flatMap((e) => index.dependents.get(e.stepId) ?? []), ...candidates];
      const rendered = starting.some((id) => index.rendered.has(id))
        ? await this.renderAhead(runId, index, ended, candidates)
        : new Map<string, Rendered>();
      if (rendered === 'full') return void (await this.engine.advance(runId));
      const result = await this.runs.transaction((tx) => this.stepIn(tx, runId, index, ended, candidates, rendered));
      if (result.kind === 'full') return void (await this.engine.advance(runId));
      if (result.kind === 'none') return;
      if (result.created.length) await this.submission.afterCreate(result.created);
      if (result.kind === 'concluded') {
        this.events.publishRun(result.run);
        return this.concluded(result.run);
      }
      // The event names the steps that changed, not every step of the run.
      if (Object.keys(result.steps).length) this.events.publishRun({ ...result.slice, steps: result.steps });
      if (!result.waiting.length) return;
      ended = [];
      candidates = result.waiting;
    }
  }

  private indexOf(slice: RunSlice): Promise<DefinitionIndex> {
    return definitionIndexOf(slice.workflowId, slice.workflowVersion, () => this.runs.definitionOf(slice.id));
  }

  /** Renders, without any lock, the inputs of the steps this advance will start, as {@link stepIn} will decide. */
  private async renderAhead(
    runId: string,
    index: DefinitionIndex,
    ended: StepTaskEnd[],
    candidates: string[],
  ): Promise<Map<string, Rendered> | 'full'> {
    const rendered = new Map<string, Rendered>();
    const slice = await this.runs.readSlice(runId);
    if (!slice || slice.status !== 'running') return rendered;
    const view = new SliceView(slice, index, (ids) => this.runs.states(runId, ids));
    const outcome = await advanceSlice(view, ended, candidates, async (step, context) => {
      const result = await this.engine.render(index, step, context);
      if (!result) return { taskId: null };
      rendered.set(renderKey(step, context), result);
      return 'error' in result ? result : { taskId: null };
    });
    return outcome === 'full' ? 'full' : rendered;
  }

  private async stepIn(
    tx: RunTransaction,
    runId: string,
    index: DefinitionIndex,
    ended: StepTaskEnd[],
    candidates: string[],
    rendered: ReadonlyMap<string, Rendered>,
  ): Promise<Stepped> {
    const slice = await tx.lockSlice(runId);
    if (!slice || slice.status !== 'running') return { kind: 'none' };
    const view = new SliceView(slice, index, (ids) => tx.states(runId, ids));
    const created: Task[] = [];
    const outcome = await advanceSlice(view, ended, candidates, async (step, context) => {
      if (!isTaskStep(step)) return undefined;
      const input = index.rendered.has(step.id)
        ? rendered.get(renderKey(step, context))
        : await this.engine.render(index, step, context);
      if (!input) return undefined;
      if ('error' in input) return input;
      const made = await this.engine.stepTask(slice, step, input.input);
      if ('error' in made) return made;
      created.push(made.task);
      return { taskId: made.task.id };
    });
    if (outcome === 'full') return { kind: 'full' };
    if (!view.changed.size) return { kind: 'none' };
    await this.submission.insertSteps(tx.em, created);
    const steps = Object.fromEntries([...view.changed].map((id) => [id, view.states[id]]));
    const openSteps = slice.openSteps - outcome.ended;
    await tx.patch(runId, { steps, openSteps });
    if (openSteps > 0) return { kind: 'stepped', slice, steps, created, waiting: outcome.waiting };
    // The last step ended: the run concludes, reading all its steps once, for its output.
    const run = await this.engine.concludeIn(tx, runId);
    return run ? { kind: 'concluded', run, created } : { kind: 'stepped', slice, steps, created, waiting: [] };
  }
}
