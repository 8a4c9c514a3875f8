import type { EntityManager } from 'typeorm';
import type { AuditEvent } from '../../src/audit/audit.service';
import type { RunEventSource } from '../../src/events/event-bus';
import type { StepState, WorkflowRunEntity } from '../../src/workflows/entities/workflow-run.entity';
import type { RunSlice } from '../../src/workflows/persistence/run-slices';
import {
  openStepsOf,
  type RunningCursor,
  type RunTransaction,
  type WaitingRun,
} from '../../src/workflows/persistence/workflow-run.repository';
import type {
  ApprovalMetrics,
  RunEvents,
  RunSlices,
  RunStore,
  StepWaitJobs,
  TemplateRenderer,
  WaitingRuns,
} from '../../src/workflows/ports';
import { renderPaths } from '../../src/workflows/path-templates';
import { renderTemplatesToJson } from '../../src/workflows/templates';
import { isParked, wakeAtOf } from '../../src/workflows/step-waits';
import { initialSteps } from '../../src/workflows/step-advance';
import type { WorkflowStep } from '../../src/workflows/workflow-definition';

/** A transaction handle for fakes that take one and never look inside it. */
export const NO_TRANSACTION = {} as EntityManager;

let fakeRuns = 0;

/** A running run of `definition`, as the workflows service stores it. */
export function fakeRun(definition: WorkflowStep[], fields: Partial<WorkflowRunEntity> = {}): WorkflowRunEntity {
  const now = new Date();
  return {
    id: 'run-1',
    // A workflow of its own per run: the engine caches what it works out of a workflow version's steps.
    workflowId: `wf-${(fakeRuns += 1)}`,
    workflowVersion: 1,
    definition,
    status: 'running',
    input: {},
    output: null,
    steps: initialSteps(definition),
    tags: [],
    createdBy: 'alice',
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    idempotencyKey: null,
    wakeAt: null,
    parked: false,
    openSteps: definition.length,
    triggerDepth: 0,
    ...fields,
  };
}

/**
 * Runs in memory. Transactions run one at a time, as they would holding the run's row lock, each on a copy
 * that is kept only when it commits (its work resolves): a failed advance leaves the run as it was.
 */
export class FakeRunStore implements RunStore, RunSlices, WaitingRuns {
  readonly runs = new Map<string, WorkflowRunEntity>();
  readonly audit: AuditEvent[] = [];
  private last: Promise<unknown> = Promise.resolve();

  constructor(...runs: WorkflowRunEntity[]) {
    for (const run of runs) this.runs.set(run.id, structuredClone(run));
  }

  async findById(id: string): Promise<WorkflowRunEntity | undefined> {
    const run = this.runs.get(id);
    return run && structuredClone(run);
  }

  async readSlice(id: string): Promise<RunSlice | undefined> {
    return sliceOf(this.runs.get(id));
  }

  async states(id: string, stepIds: readonly string[]): Promise<Record<string, StepState>> {
    return statesOf(this.runs.get(id), stepIds);
  }

  async definitionOf(id: string): Promise<WorkflowStep[]> {
    return structuredClone(this.runs.get(id)?.definition ?? []);
  }

  /** In the order the runs were made (each one's place: its index). */
  async oldestRunning(limit: number, after?: RunningCursor): Promise<RunningCursor[]> {
    return [...this.runs.values()]
      .map((r, i) => ({ run: r, at: String(i).padStart(9, '0') }))
      .filter(({ run, at }) => run.status === 'running' && !isParked(run.steps) && (!after || at > after.at))
      .map(({ run, at }) => ({ id: run.id, at }))
      .slice(0, limit);
  }

  /** As the repository derives `wake_at` on save: from the steps, for running runs. */
  async wakingBefore(horizon: Date, limit: number): Promise<WaitingRun[]> {
    return [...this.runs.values()]
      .map((r) => ({ run: r, at: r.status === 'running' ? wakeAtOf(r.steps) : null }))
      .filter(({ at }) => at && at <= horizon)
      .sort((a, b) => a.at!.getTime() - b.at!.getTime())
      .slice(0, limit)
      .map(({ run }) => structuredClone({ id: run.id, steps: run.steps }));
  }

  transaction<T>(work: (tx: RunTransaction) => Promise<T>): Promise<T> {
    const next = this.last.then(() => this.commit(work));
    this.last = next.catch(() => undefined);
    return next;
  }

  private async commit<T>(work: (tx: RunTransaction) => Promise<T>): Promise<T> {
    const saved = new Map<string, WorkflowRunEntity>();
    const entries: AuditEvent[] = [];
    const current = (id: string) => saved.get(id) ?? this.runs.get(id);
    const result = await work({
      em: NO_TRANSACTION,
      lock: async (id) => {
        const run = current(id);
        return run && structuredClone(run);
      },
      save: async (run) => {
        const stored = structuredClone(run);
        stored.openSteps = openStepsOf(stored.steps);
        for (const state of Object.values(stored.steps)) delete state.pendingDeps;
        saved.set(run.id, stored);
      },
      audit: async (event) => void entries.push(event),
      lockSlice: async (id) => sliceOf(current(id)),
      states: async (id, stepIds) => statesOf(current(id), stepIds),
      patch: async (id, patch) => {
        const run = structuredClone(current(id)!);
        Object.assign(run.steps, structuredClone(patch.steps));
        run.openSteps = patch.openSteps;
        saved.set(id, run);
      },
      writeStates: async (id, steps) => {
        const run = structuredClone(current(id)!);
        Object.assign(run.steps, structuredClone(steps));
        saved.set(id, run);
      },
      conclude: async (run) => {
        const { status, output, finishedAt } = run;
        const stored = Object.assign(structuredClone(current(run.id)!), { status, output, finishedAt });
        saved.set(run.id, Object.assign(stored, { wakeAt: null, parked: false, openSteps: 0 }));
      },
    });
    for (const [id, run] of saved) this.runs.set(id, run);
    this.audit.push(...entries);
    return result;
  }
}

function sliceOf(run: WorkflowRunEntity | undefined): RunSlice | undefined {
  if (!run) return undefined;
  const { id, workflowId, workflowVersion, status, input, tags, createdBy, openSteps } = structuredClone(run);
  return { id, workflowId, workflowVersion, status, input, tags, createdBy, openSteps };
}

function statesOf(run: WorkflowRunEntity | undefined, stepIds: readonly string[]): Record<string, StepState> {
  if (!run) return {};
  return structuredClone(Object.fromEntries(stepIds.filter((id) => run.steps[id]).map((id) => [id, run.steps[id]])));
}

export class FakeRunEvents implements RunEvents {
  readonly published: { runId: string; status: string }[] = [];

  publishRun(run: RunEventSource): void {
    this.published.push({ runId: run.id, status: run.status });
  }
}

/** The template threads' work, done in this thread. */
export class InlineTemplates implements TemplateRenderer {
  private readonly limits = {
    timeoutMs: 1000,
    maxDepth: 100,
    maxSequence: 10_000,
    maxOutputBytes: 1_000_000,
    maxStringLength: 1_000_000,
  };

  async render(value: unknown, context: unknown): Promise<unknown> {
    return JSON.parse(await renderTemplatesToJson(value, context, this.limits));
  }

  renderInline(value: unknown, context: unknown): unknown {
    return renderPaths(value, context, this.limits.maxOutputBytes);
  }
}

/** The delayed jobs of waiting steps, by job id, with when each is due; removed ones are gone. */
export class FakeWaitJobs implements StepWaitJobs {
  readonly jobs = new Map<string, { runId: string; stepId: string; at: Date }>();

  async add(runId: string, stepId: string, at: Date): Promise<void> {
    const id = `${runId}.${stepId}`;
    if (!this.jobs.has(id)) this.jobs.set(id, { runId, stepId, at });
  }

  async remove(runId: string, stepIds: string[]): Promise<void> {
    for (const stepId of stepIds) this.jobs.delete(`${runId}.${stepId}`);
  }
}

export class FakeApprovalMetrics implements ApprovalMetrics {
  readonly decided: string[] = [];

  approvalDecided(outcome: 'approved' | 'rejected' | 'timed_out'): void {
    this.decided.push(outcome);
  }
}
