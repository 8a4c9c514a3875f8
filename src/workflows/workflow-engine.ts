import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { evaluateCondition } from '../common/conditions/condition';
import type { EntityManager } from 'typeorm';
import { AgentUnavailableError } from '../tasks/tasks.errors';
import { AppError } from '../common/errors/app.error';
import type { Task, TaskError } from '../tasks/task';
import { EventBus, type RunEventSource } from '../events/event-bus';
import { TaskLifecycle } from '../tasks/task-lifecycle';
import { TaskSubmission } from '../tasks/task-submission';
import { TasksService } from '../tasks/tasks.service';
import { type DefinitionIndex, definitionIndexOf } from './definition-index';
import { FINAL_STEP_STATUSES, type WorkflowRunEntity } from './entities/workflow-run.entity';
import { runChange, snapshotOf } from './run-change';
import { syncFromTasks } from './step-task-states';
import { RunLifecycle } from './run-lifecycle';
import { type RunningCursor, type RunTransaction, WorkflowRunRepository } from './persistence/workflow-run.repository';
import { RunStepper } from './run-stepper';
import type {
  RunEvents,
  RunSlices,
  RunStore,
  StepTaskControl,
  StepTaskSubmission,
  StepWaitJobs,
  TemplateRenderer,
} from './ports';
import { StepWaitQueue } from './step-wait-queue';
import { dueAt, startWaiting } from './step-waits';
import { TemplateEvaluator } from './template-evaluator';
import { NEEDS_JSONATA } from './path-templates';
import { isTaskStep, stepTemplate, type TaskStep, type WorkflowStep } from './workflow-definition';
import {
  contextOf,
  plainRendering,
  type Rendered,
  renderKey,
  type StepContext,
  type StepStart,
  conclude,
  letsRunGoOn,
  MAX_RENDER_PASSES,
  templateFailure,
} from './step-advance';

/**
 * Moves workflow runs forward. Every advance happens in one transaction holding the run's row lock, so two
 * steps finishing at the same instant on two workers never schedule a step twice; each step is a task,
 * queued once the transaction commits. Templates are evaluated before that transaction, on the template
 * threads: a pass first works out, without any lock, which steps can start and renders their inputs; then
 * it locks the run, decides again, and uses a rendering only when the step's context is still the same.
 */
@Injectable()
export class WorkflowEngine implements OnModuleInit {
  private readonly logger = new Logger(WorkflowEngine.name);
  private readonly steps: RunStepper;

  constructor(
    @Inject(WorkflowRunRepository) private readonly runs: RunStore & RunSlices,
    @Inject(TasksService) private readonly tasks: StepTaskControl,
    @Inject(TaskSubmission) private readonly submission: StepTaskSubmission,
    private readonly lifecycle: TaskLifecycle,
    @Inject(EventBus) private readonly events: RunEvents,
    @Inject(TemplateEvaluator) private readonly templates: TemplateRenderer,
    @Inject(RunLifecycle) private readonly runLifecycle: Pick<RunLifecycle, 'concluded'>,
    @Inject(StepWaitQueue) private readonly waitJobs: StepWaitJobs,
  ) {
    this.steps = new RunStepper(this, runs, submission, events, (run) => runLifecycle.concluded(run));
  }

  onModuleInit(): void {
    this.lifecycle.onFinished(async (task) => {
      if (task.runId) await this.steps.afterTask(task.runId, task);
    });
  }

  /** The cached index of the run's definition (its workflow version's). */
  indexOf(run: Pick<WorkflowRunEntity, 'workflowId' | 'workflowVersion' | 'definition'>): Promise<DefinitionIndex> {
    return definitionIndexOf(run.workflowId, run.workflowVersion, async () => run.definition);
  }

  /**
   * Starts a new run: a run of task steps only step by step from its first steps (what a 500-step run reads
   * and writes is what those steps touch), any other by the whole-run pass.
   */
  async begin(run: WorkflowRunEntity): Promise<WorkflowRunEntity | undefined> {
    const index = await this.indexOf(run);
    if (!index.taskOnly) return this.advance(run.id);
    await this.steps.begin(run, index);
    return this.runs.findById(run.id);
  }

  /** Brings the run up to date with its tasks and schedules what can run now. Safe to call any time. */
  async advance(runId: string): Promise<WorkflowRunEntity | undefined> {
    let latest: WorkflowRunEntity | undefined;
    for (let pass = 0; pass < MAX_RENDER_PASSES; pass += 1) {
      const rendered = await this.renderReady(runId);
      const result = await this.runs.transaction((tx) => this.advanceIn(tx, runId, rendered));
      if (!result) return latest;
      // Before its tasks are queued: a task that starts at once says `running` after its step's `queued`.
      if (result.event) this.events.publishRun(result.event);
      if (result.created.length) await this.submission.afterCreate(result.created);
      if (result.waits.length) await this.queueWaits(result.run, result.waits);
      if (result.event && result.run.status !== 'running') await this.runLifecycle.concluded(result.run);
      latest = result.run;
      if (!result.waiting) break;
    }
    return latest;
  }

  /**
   * Renders the input of every step that can start now, outside any transaction, the way {@link schedule}
   * will decide under the lock. Keys are the step and a digest of its context.
   */
  private async renderReady(runId: string): Promise<Map<string, Rendered>> {
    const rendered = new Map<string, Rendered>();
    const run = await this.runs.findById(runId);
    if (!run || run.status !== 'running') return rendered;
    await syncFromTasks(run, this.tasks);
    const index = await this.indexOf(run);
    await this.schedule(run, index, async (step, context) => {
      const result = await this.render(index, step, context, run.createdBy);
      if (!result) return { taskId: null };
      rendered.set(renderKey(step, context), result);
      return 'error' in result ? result : { taskId: null };
    });
    return rendered;
  }

  /** The step's input (or `until`) rendered against its context, for `owner`; one without templates is copied. */
  async render(
    index: DefinitionIndex,
    step: WorkflowStep,
    context: StepContext,
    owner: string,
  ): Promise<Rendered | undefined> {
    const template = stepTemplate(step)?.value;
    if (template === undefined) return undefined;
    if (!index.rendered.has(step.id)) return { input: plainRendering(template) };
    try {
      return { input: await this.templates.render(template, context, owner) };
    } catch (err) {
      return templateFailure(err);
    }
  }

  /**
   * The step's input rendered at once when its templates are all plain paths (`index.inline`), without a
   * template thread, so a step decided under the run's lock starts in the same pass; undefined when a thread
   * must render it.
   */
  renderInline(index: DefinitionIndex, step: WorkflowStep, context: StepContext): Rendered | undefined {
    if (!index.inline.has(step.id)) return undefined;
    try {
      const input = this.templates.renderInline(stepTemplate(step)?.value, context);
      return input === NEEDS_JSONATA ? undefined : { input };
    } catch (err) {
      return templateFailure(err);
    }
  }

  private async advanceIn(
    tx: RunTransaction,
    runId: string,
    rendered: ReadonlyMap<string, Rendered>,
  ): Promise<
    { run: WorkflowRunEntity; created: Task[]; waits: string[]; event?: RunEventSource; waiting: boolean } | undefined
  > {
    const run = await tx.lock(runId);
    if (!run) return undefined;
    if (run.status !== 'running') return { run, created: [], waits: [], waiting: false };
    const before = snapshotOf(run.steps);
    await syncFromTasks(run, this.tasks, tx.em);
    const created: Task[] = [];
    const waits: string[] = [];
    const now = new Date();
    const index = await this.indexOf(run);
    const { waiting } = await this.schedule(run, index, async (step, context) => {
      const input = index.rendered.has(step.id)
        ? (rendered.get(renderKey(step, context)) ?? this.renderInline(index, step, context))
        : ((await this.render(index, step, context, run.createdBy)) ?? { input: undefined });
      if (!input) return undefined;
      if ('error' in input) return input;
      if (!isTaskStep(step)) {
        const begun = startWaiting(step, now, input.input);
        if ('wait' in begun) waits.push(step.id);
        return begun;
      }
      const made = await this.stepTask(run, step, input.input, tx.em);
      if ('error' in made) return made;
      created.push(made.task);
      return { taskId: made.task.id };
    });
    await this.submission.insertSteps(tx.em, created);
    conclude(run, index);
    const event = runChange(run, before);
    if (event) await tx.save(run);
    return { run, created, waits, event, waiting };
  }

  /**
   * Queues the delayed jobs of steps that began to wait. Should Redis refuse, the run is committed all the
   * same: the reconciler queues them again, or resolves the steps once they are overdue.
   */
  private async queueWaits(run: WorkflowRunEntity, stepIds: string[]): Promise<void> {
    for (const stepId of stepIds) {
      const at = dueAt(run.steps[stepId]);
      if (!at) continue;
      await this.waitJobs
        .add(run.id, stepId, at)
        .catch((err: Error) => this.logger.warn(`wait job of ${run.id}/${stepId}: ${err.message}`));
    }
  }

  /**
   * Skips what can no longer run and starts every step whose dependencies are settled, through `start`.
   * A step `start` leaves undecided stays pending; `waiting` says there was one.
   */
  private async schedule(
    run: WorkflowRunEntity,
    index: DefinitionIndex,
    start: (step: WorkflowStep, context: StepContext) => Promise<StepStart>,
  ): Promise<{ waiting: boolean }> {
    const byId = index.byId;
    const waiting = new Set<string>();
    for (let changed = true; changed;) {
      changed = false;
      for (const step of run.definition) {
        const state = run.steps[step.id];
        if (state.status !== 'pending' || waiting.has(step.id)) continue;
        const deps = (step.dependsOn ?? []).map((d) => ({ def: byId.get(d)!, state: run.steps[d] }));
        if (deps.some((d) => !FINAL_STEP_STATUSES.includes(d.state.status))) continue;
        const blocked = deps.some((d) => !letsRunGoOn(d.state.status, d.def));
        const context = contextOf(run.input, run.steps, index.refs.get(step.id) ?? 'all');
        if (blocked || (step.when && !evaluateCondition(step.when, context))) {
          state.status = 'skipped';
          changed = true;
          continue;
        }
        const started = await start(step, context);
        if (!started) waiting.add(step.id);
        else if ('taskId' in started) Object.assign(state, { status: 'queued', taskId: started.taskId });
        else if ('wait' in started) Object.assign(state, started.wait);
        else Object.assign(state, { status: 'failed', error: started.error });
        changed = true;
      }
    }
    return { waiting: waiting.size > 0 };
  }

  /**
   * The step's task, checked against its agent, for the run's transaction (`em`) to store; or why it cannot be.
   * The agent is read in that transaction when it is not cached: the run's lock is held.
   */
  async stepTask(
    run: Pick<WorkflowRunEntity, 'id' | 'createdBy' | 'tags'>,
    step: TaskStep,
    input: unknown,
    em: EntityManager,
  ): Promise<{ task: Task } | { error: TaskError }> {
    let prepared;
    try {
      prepared = await this.submission.prepare(run.createdBy, { agentId: step.agentId, input }, { em });
    } catch (err) {
      // A step's error says what happened to it, as a task's does: its agent deleted is AGENT_DELETED.
      if (err instanceof AgentUnavailableError) return { error: { code: 'AGENT_DELETED', message: err.message } };
      if (err instanceof AppError) return { error: { code: err.code, message: err.message } };
      throw err;
    }
    if (Array.isArray(prepared)) {
      const detail = prepared.map((p) => `${p.field} ${p.message}`).join('; ');
      return { error: { code: 'INVALID_INPUT', message: `The rendered input does not match the agent: ${detail}` } };
    }
    prepared.runId = run.id;
    prepared.stepId = step.id;
    prepared.metadata = { runId: run.id, stepId: step.id };
    prepared.tags = run.tags;
    return { task: prepared };
  }

  /** Concludes the run if every step is over, in its transaction: the run once concluded, else undefined. */
  async concludeIn(tx: RunTransaction, runId: string): Promise<WorkflowRunEntity | undefined> {
    const run = await tx.lock(runId);
    if (!run || run.status !== 'running') return undefined;
    conclude(run, await this.indexOf(run));
    if (run.status !== 'running') {
      await tx.conclude(run);
      return run;
    }
    // A step is still open after all: the run's counts are made again from its steps.
    await tx.save(run);
    return undefined;
  }

  /**
   * Advances runs whose advance may have been missed (a process died between a task's end and the run's): `limit`
   * running runs after `after`, the longest untouched first. How many, and where the next page begins (none once
   * the last page is read).
   */
  async sweep(after?: RunningCursor, limit = 100): Promise<{ swept: number; next?: RunningCursor }> {
    const page = await this.runs.oldestRunning(limit, after);
    for (const { id } of page)
      await this.advance(id).catch((err: Error) => this.logger.warn(`advance ${id}: ${err.message}`));
    return { swept: page.length, next: page.length === limit ? page[page.length - 1] : undefined };
  }
}
