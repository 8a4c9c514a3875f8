import type { EntityManager } from 'typeorm';
import type { AuditEvent } from '../../src/audit/audit.service';
import type { RunEventSource } from '../../src/events/event-bus';
import type { WorkflowRunEntity } from '../../src/workflows/entities/workflow-run.entity';
import type { RunTransaction, WaitingRun } from '../../src/workflows/persistence/workflow-run.repository';
import type {
  ApprovalMetrics,
  RunEvents,
  RunStore,
  StepWaitJobs,
  TemplateRenderer,
  WaitingRuns,
} from '../../src/workflows/ports';
import { renderTemplatesToJson } from '../../src/workflows/templates';
import { isParked, wakeAtOf } from '../../src/workflows/step-waits';
import { initialSteps } from '../../src/workflows/workflow-engine';
import type { WorkflowStep } from '../../src/workflows/workflow-definition';

/** A transaction handle for fakes that take one and never look inside it. */
export const NO_TRANSACTION = {} as EntityManager;

/** A running run of `definition`, as the workflows service stores it. */
export function fakeRun(definition: WorkflowStep[], fields: Partial<WorkflowRunEntity> = {}): WorkflowRunEntity {
  const now = new Date();
  return {
    id: 'run-1',
    workflowId: 'wf-1',
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
    triggerDepth: 0,
    ...fields,
  };
}

/**
 * Runs in memory. Transactions run one at a time, as they would holding the run's row lock, each on a copy
 * that is kept only when it commits (its work resolves): a failed advance leaves the run as it was.
 */
export class FakeRunStore implements RunStore, WaitingRuns {
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

  async oldestRunning(limit: number): Promise<string[]> {
    return [...this.runs.values()]
      .filter((r) => r.status === 'running' && !isParked(r.steps))
      .map((r) => r.id)
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
    const result = await work({
      em: NO_TRANSACTION,
      lock: (id) => this.findById(id),
      save: async (run) => void saved.set(run.id, structuredClone(run)),
      audit: async (event) => void entries.push(event),
    });
    for (const [id, run] of saved) this.runs.set(id, run);
    this.audit.push(...entries);
    return result;
  }
}

export class FakeRunEvents implements RunEvents {
  readonly published: { runId: string; status: string }[] = [];

  publishRun(run: RunEventSource): void {
    this.published.push({ runId: run.id, status: run.status });
  }
}

/** The template threads' work, done in this thread. */
export class InlineTemplates implements TemplateRenderer {
  async render(value: unknown, context: unknown): Promise<unknown> {
    const limits = { timeoutMs: 1000, maxDepth: 100, maxSequence: 10_000, maxOutputBytes: 1_000_000 };
    return JSON.parse(await renderTemplatesToJson(value, context, limits));
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
