import type { Task } from '../tasks/task';
import { type DefinitionIndex, definitionIndexOf } from './definition-index';
import type { StepState, WorkflowRunEntity } from './entities/workflow-run.entity';
import type { RunSlice } from './persistence/run-slices';
import type { RunTransaction } from './persistence/workflow-run.repository';
import type { RunEvents, RunSlices, RunStore, StepTaskSubmission } from './ports';
import { advanceSlice, MAX_RENDER_PASSES, type Rendered, renderKey, SliceView, type StepTaskEnd } from './step-advance';
import { isTaskStep } from './workflow-definition';
import type { WorkflowEngine } from './workflow-engine';

/**
 * Steps started per transaction, at most. A fan-out's 498 branches are rendered, stored and queued a hundred
 * at a time: the first hundred run while the next are prepared, instead of all waiting for the last.
 */
const STARTS_PER_TRANSACTION = 100;

/** What one step-by-step advance did, once committed. */
type Stepped =
  | { kind: 'full' }
  | { kind: 'none' }
  | {
      kind: 'stepped';
      slice: RunSlice;
      steps: Record<string, StepState>;
      created: Task[];
      waiting: string[];
      /** Steps the transaction could not render (a thread must): the next pass renders ahead. */
      unrendered: number;
    }
  | { kind: 'concluded'; run: WorkflowRunEntity; created: Task[] };

/**
 * Advances a run after one of its step tasks ended, looking only at what that changed: the step, the steps
 * that depend on it (each counting down its dependencies still open), and the outputs their templates read.
 * The cost of an event is the same at the 500th step as at the 5th. Runs with approval or wait steps, and
 * steps whose templates read the steps as a whole, are advanced by the engine's whole-run pass instead.
 */
export class RunStepper {
  constructor(
    private readonly engine: Pick<WorkflowEngine, 'advance' | 'render' | 'renderInline' | 'stepTask' | 'concludeIn'>,
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
   * branches), not once per end. Only the end that begins a batch waits for it (its job holds the worker's
   * slot until the batch is committed, so a graceful stop still takes it in); the others return at once, and
   * their jobs' slots run the next tasks meanwhile: a fan-in's branches are not held up by its advances.
   */
  afterTask(runId: string, task: Task): Promise<void> {
    const waiting = this.next.get(runId);
    if (waiting) {
      waiting.tasks.push(task);
      return Promise.resolve();
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
    const ended: StepTaskEnd[] = tasks.map((task) => ({
      stepId: task.stepId!,
      taskId: task.id,
      status: task.status,
      output: task.output,
      error: task.error,
    }));
    return this.stepped(first, index, ended, []);
  }

  /**
   * Starts a new run's first steps (those depending on none) as an end starts its dependents; the run is then
   * read once, as it is after them. For a run of task steps only (else the engine's whole-run pass starts it).
   */
  async begin(run: RunSlice, index: DefinitionIndex): Promise<void> {
    const roots = index.steps.filter((s) => !s.dependsOn?.length).map((s) => s.id);
    await this.stepped(run, index, [], roots);
  }

  /** {@link passes}; each pass's tasks are queued while the next prepares its own, and all before it returns. */
  private async stepped(slice: RunSlice, index: DefinitionIndex, ended: StepTaskEnd[], ready: string[]) {
    const queued: Promise<void>[] = [];
    try {
      await this.passes(slice, index, ended, ready, queued);
    } finally {
      await Promise.all(queued);
    }
  }

  /**
   * Takes in `ends` and starts what they (and the steps `ready`) allow, in passes of at most
   * {@link STARTS_PER_TRANSACTION} starts, each in a transaction of its own.
   */
  private async passes(
    slice: RunSlice,
    index: DefinitionIndex,
    ends: StepTaskEnd[],
    ready: string[],
    queued: Promise<void>[],
  ): Promise<void> {
    const runId = slice.id;
    let ended = ends;
    let candidates = ready.slice(0, STARTS_PER_TRANSACTION);
    // Steps known ready beyond what one pass starts (a fan-out's tail): the next passes look at these only.
    let held = ready.slice(STARTS_PER_TRANSACTION);
    const ahead = new Map<string, Promise<Rendered | undefined>>();
    // Whether a step of this advance could not be rendered under the lock: from then on, passes render ahead.
    let threads = false;
    // Passes that start steps (the rest of a fan-out) are bounded by the run's steps; the others are counted.
    for (let pass = 0; pass < MAX_RENDER_PASSES;) {
      const rendered = this.mayRender(index, ended, candidates, threads)
        ? await this.renderAhead(slice, index, ended, candidates, ahead)
        : new Map<string, Rendered>();
      if (rendered === 'full') return void (await this.engine.advance(runId));
      const result = await this.runs.transaction((tx) => this.stepIn(tx, runId, index, ended, candidates, rendered));
      if (result.kind === 'full') return void (await this.engine.advance(runId));
      if (result.kind !== 'none' && result.created.length) queued.push(this.submission.afterCreate(result.created));
      if (result.kind === 'concluded') {
        this.events.publishRun(result.run);
        return this.concluded(result.run);
      }
      // The event names the steps that changed, not every step of the run.
      if (result.kind === 'stepped' && Object.keys(result.steps).length)
        this.events.publishRun({ ...result.slice, steps: result.steps });
      // Steps held back are still this advance's to start, even when the candidates were taken meanwhile.
      const next = [...(result.kind === 'stepped' ? result.waiting : []), ...held];
      if (result.kind === 'stepped' && result.unrendered > 0) threads = true;
      if (!next.length) return;
      if (result.kind === 'none' || !result.created.length) pass += 1;
      ended = [];
      candidates = next.slice(0, STARTS_PER_TRANSACTION);
      held = next.slice(STARTS_PER_TRANSACTION);
    }
  }

  /**
   * Whether a step this pass may start has templates to render ahead, on a thread. Plain paths
   * (`index.inline`) are rendered under the lock, at once, unless one could not be in this advance before
   * (`threads`: it reads through an array). A step depending on others besides the one that ended (a fan-in's
   * join) is not counted: it rarely starts with this end, and when it does, it waits for the next pass to be
   * rendered; the 497 ends before it read nothing ahead.
   */
  private mayRender(index: DefinitionIndex, ended: StepTaskEnd[], candidates: string[], threads: boolean): boolean {
    const ahead = (id: string) => index.rendered.has(id) && (threads || !index.inline.has(id));
    const dependents = ended.flatMap((e) => index.dependents.get(e.stepId) ?? []);
    return (
      candidates.some(ahead) || dependents.some((id) => ahead(id) && (index.byId.get(id)?.dependsOn?.length ?? 0) <= 1)
    );
  }

  private indexOf(slice: RunSlice): Promise<DefinitionIndex> {
    return definitionIndexOf(slice.workflowId, slice.workflowVersion, () => this.runs.definitionOf(slice.id));
  }

  /**
   * Renders, without any lock, the inputs of the steps this pass will start, as {@link stepIn} will decide.
   * Those beyond the pass's share are sent to the template threads too (`ahead`, by rendering key): later
   * passes find them rendered, or under way, while this pass's transaction runs.
   */
  private async renderAhead(
    slice: RunSlice,
    index: DefinitionIndex,
    ended: StepTaskEnd[],
    candidates: string[],
    ahead: Map<string, Promise<Rendered | undefined>>,
  ): Promise<Map<string, Rendered> | 'full'> {
    const rendered = new Map<string, Rendered>();
    const view = new SliceView(slice, index, (ids) => this.runs.states(slice.id, ids));
    let taken = 0;
    const outcome = await advanceSlice(view, ended, candidates, async (step, context) => {
      const key = renderKey(step, context);
      let rendering = ahead.get(key);
      if (!rendering) {
        rendering = this.engine.render(index, step, context, slice.createdBy);
        // Awaited by a later pass, or never (the run moved on): its failure is that pass's to see.
        rendering.catch(() => undefined);
        ahead.set(key, rendering);
      }
      // As many as the transaction will start: the others are taken by a later pass.
      if ((taken += 1) > STARTS_PER_TRANSACTION) return undefined;
      const result = await rendering;
      ahead.delete(key);
      if (!result) return { taskId: null };
      rendered.set(key, result);
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
    let taken = 0;
    let unrendered = 0;
    const outcome = await advanceSlice(view, ended, candidates, async (step, context) => {
      if (!isTaskStep(step)) return undefined;
      // The steps past these wait, pending, for the next pass.
      if ((taken += 1) > STARTS_PER_TRANSACTION) return undefined;
      const input = index.rendered.has(step.id)
        ? (rendered.get(renderKey(step, context)) ?? this.engine.renderInline(index, step, context))
        : await this.engine.render(index, step, context, slice.createdBy);
      if (!input) {
        unrendered += 1;
        return undefined;
      }
      if ('error' in input) return input;
      const made = await this.engine.stepTask(slice, step, input.input, tx.em);
      if ('error' in made) return made;
      created.push(made.task);
      return { taskId: made.task.id };
    });
    if (outcome === 'full') return { kind: 'full' };
    if (!view.changed.size)
      return outcome.waiting.length
        ? { kind: 'stepped', slice, steps: {}, created: [], waiting: outcome.waiting, unrendered }
        : { kind: 'none' };
    await this.submission.insertSteps(tx.em, created);
    const steps = Object.fromEntries([...view.changed].map((id) => [id, view.states[id]]));
    const openSteps = slice.openSteps - outcome.ended;
    if (openSteps > 0) {
      await tx.patch(runId, { steps, openSteps });
      return { kind: 'stepped', slice, steps, created, waiting: outcome.waiting, unrendered };
    }
    // The last step ended: the run concludes, reading all its steps once, for its output; its row is written
    // once, by the conclusion (or by the recount, should a step be open after all).
    await tx.writeStates(runId, steps);
    const run = await this.engine.concludeIn(tx, runId);
    return run
      ? { kind: 'concluded', run, created }
      : { kind: 'stepped', slice, steps, created, waiting: [], unrendered };
  }
}
