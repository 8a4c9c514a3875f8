import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { FileReads } from '../agents/file-reads';
import type { AuditRequestContext } from '../audit/audit-context';
import type { FinishCursor } from '../common/finish-cursor';
import { isAdmin, mayChange, type Principal } from '../auth/principal';
import { NotFoundError, ValidationFailedError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import { sameRequest } from '../common/http/idempotency-key';
import { readProblems } from './definition-index';
import { type ListedWorkflow, listWorkflows } from './persistence/workflow-list';
import { SchemaValidator } from '../common/schema/schema-validator';
import type { WorkflowRunQueryDto } from './dto/run-query.dto';
import type {
  CreateWorkflowDto,
  StartRunDto,
  UpdateWorkflowDto,
  WorkflowQueryDto,
  WorkflowStepDto,
} from './dto/workflow.dto';
import type { WorkflowRunEntity } from './entities/workflow-run.entity';
import type { ListedRun } from './persistence/run-list';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import { WorkflowRepository } from './persistence/workflow.repository';
import type { WorkflowEntity } from './entities/workflow.entity';
import { stepShapeProblems, storedStep } from './step-shapes';
import { definitionProblems, isTaskStep, stepTemplate, templateField, type WorkflowStep } from './workflow-definition';
import { TemplateEvaluator } from './template-evaluator';
import { LiteralStepInputs } from './literal-step-inputs';
import { initialSteps } from './step-advance';
import { WorkflowEngine } from './workflow-engine';
import { RunCancellation } from './run-cancellation';
import { TriggerChecks } from './triggers/trigger-checks';
import { TriggerIndex } from './triggers/trigger-index';
import { WorkflowAgentDeletedError, WorkflowChangeForbiddenError, WorkflowNotFoundError } from './workflows.errors';
import { IdempotencyConflictError } from '../tasks/tasks.errors';

const WITH_FILE = 'A workflow whose steps read a file';

/** How a run is started: see {@link WorkflowsService.startOnce}. */
export interface StartOptions {
  audit?: AuditRequestContext;
  idempotencyKey?: string;
  /**
   * The key is a client's (`Idempotency-Key`): it names its run only for the start that made it (the same
   * workflow, input and tags; input `{}` when absent, as stored): another start is 422 IDEMPOTENCY_CONFLICT.
   */
  clientKey?: boolean;
  origin?: Record<string, unknown>;
  triggerDepth?: number;
}

/** The runs list's filters and page (`GET /workflow-runs`, and a workflow's runs). */
export type RunListQuery = Partial<Omit<WorkflowRunQueryDto, 'skip' | 'limit'>> &
  Pick<WorkflowRunQueryDto, 'skip' | 'limit'>;

/** What a run starts with: its input (`{}` when absent) and its tags. */
export type RunStart = Pick<StartRunDto, 'input' | 'tags'>;

@Injectable()
export class WorkflowsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly validator: SchemaValidator,
    private readonly engine: WorkflowEngine,
    private readonly cancellation: RunCancellation,
    private readonly templates: TemplateEvaluator,
    private readonly definitions: WorkflowRepository,
    private readonly runStore: WorkflowRunRepository,
    private readonly triggerIndex: TriggerIndex,
    private readonly literals: LiteralStepInputs,
    private readonly keys: ApiKeysService,
    private readonly triggerChecks: TriggerChecks,
    private readonly fileReads: FileReads,
  ) {}

  /**
   * The ids of the task steps whose agent was deleted since the workflow was saved, in order: a run of the
   * workflow is refused until they are changed. One read, however many agents the steps name.
   */
  private async stepsWithDeletedAgent(steps: WorkflowStep[], em?: EntityManager): Promise<string[]> {
    const taskSteps = steps.filter(isTaskStep);
    const live = await this.agents.liveIds(
      taskSteps.map((step) => step.agentId),
      em,
    );
    return taskSteps.filter((step) => !live.has(step.agentId)).map((step) => step.id);
  }

  /**
   * Refuses a run of steps whose agent was deleted since the workflow was saved: it would fail at that step,
   * after the steps before it had run (and cost what they cost).
   */
  private async refuseDeletedAgents(steps: WorkflowStep[]): Promise<void> {
    const stepIds = await this.stepsWithDeletedAgent(steps);
    if (stepIds.length) throw new WorkflowAgentDeletedError(stepIds);
  }

  /** The steps checked; their templates are parsed in the turn of the user saving them. */
  private async checkSteps(input: WorkflowStepDto[], principal: Principal): Promise<WorkflowStep[]> {
    const shapes = input.flatMap(stepShapeProblems);
    const steps = input.map(storedStep);
    await this.fileReads.assertMayRead(principal, steps.filter(isTaskStep), WITH_FILE);
    const known = await this.agents.liveIds(steps.flatMap((s) => (isTaskStep(s) ? [s.agentId] : [])));
    const problems = [
      ...shapes,
      ...definitionProblems(steps, known),
      ...readProblems(steps, this.validator),
      ...(await this.literals.problems(steps, known)),
    ];
    // Templates are parsed on the template threads (a long or deeply nested expression costs no event loop).
    const values = steps.map((step) => stepTemplate(step)?.value ?? null);
    for (const { path, message } of await this.templates.problems(values, principal.userId))
      problems.push({ field: templateField(steps, path), message });
    if (problems.length) throw new ValidationFailedError(problems, 'The workflow definition is invalid');
    return steps;
  }

  async create(principal: Principal, input: CreateWorkflowDto, audit?: AuditRequestContext): Promise<WorkflowEntity> {
    const steps = await this.checkSteps(input.steps, principal);
    const triggers = await this.triggerChecks.checked(principal, input.triggers ?? []);
    const by = this.keys.changeBy(principal);
    const created = await this.definitions.create(
      {
        name: input.name,
        description: input.description ?? null,
        steps,
        triggers,
        triggersSince: triggers.length ? new Date() : null,
        version: 1,
        createdBy: principal.userId,
        changedWithKeyId: by.changedWithKeyId,
      },
      (workflow) => ({
        action: 'workflow.create',
        outcome: 'success',
        resourceType: 'workflow',
        resourceId: workflow.id,
        details: { name: workflow.name, steps: steps.length, triggers: triggers.length },
      }),
      audit,
      by.check,
    );
    if (triggers.length) await this.triggerIndex.invalidate(created.createdBy);
    return created;
  }

  /** Live workflows, newest first; `q` searches their name and description (see {@link listWorkflows}). */
  list(query: WorkflowQueryDto): Promise<Page<ListedWorkflow>> {
    return listWorkflows(this.dataSource, query);
  }

  /**
   * The workflow, with the task steps whose agent was deleted since it was saved (its page shows them); read in
   * the caller's transaction when given one (`em`).
   */
  async detail(id: string, em?: EntityManager): Promise<{ workflow: WorkflowEntity; stepsWithDeletedAgent: string[] }> {
    const workflow = await this.get(id, em);
    return { workflow, stepsWithDeletedAgent: await this.stepsWithDeletedAgent(workflow.steps, em) };
  }

  /** The live workflow; read in the caller's transaction when given one (`em`). */
  async get(id: string, em?: EntityManager): Promise<WorkflowEntity> {
    const workflow = await this.definitions.findLive(id, em);
    if (!workflow) throw new WorkflowNotFoundError();
    return workflow;
  }

  /**
   * Everyone with `workflows:read` sees a workflow and may run it; only its creator or an admin changes it (its
   * triggers start runs as its creator, on the creator's events: a stranger's change would read them).
   */
  private assertMayChange(principal: Principal, workflow: WorkflowEntity): void {
    if (!mayChange(principal, workflow.createdBy)) throw new WorkflowChangeForbiddenError();
  }

  /** A change of steps is a new version; runs already started keep the steps they began with. */
  async update(
    principal: Principal,
    id: string,
    changes: UpdateWorkflowDto,
    audit?: AuditRequestContext,
  ): Promise<WorkflowEntity> {
    // Refused before its definition is checked: a caller who may not change it learns nothing from that.
    const current = await this.get(id);
    this.assertMayChange(principal, current);
    // Steps sent back as stored (a client PATCHing what it read) change nothing: no new version, nothing checked.
    const sent =
      changes.steps && !sameRequest(changes.steps.map(storedStep), current.steps) ? changes.steps : undefined;
    const steps = sent ? await this.checkSteps(sent, principal) : undefined;
    const triggers = changes.triggers ? await this.triggerChecks.checked(principal, changes.triggers, id) : undefined;
    // Triggers start runs of the steps as they are (steps sent are checked with them): reading a file takes files:read.
    if (triggers?.length && !steps)
      await this.fileReads.assertMayRead(principal, current.steps.filter(isTaskStep), WITH_FILE);
    const by = this.keys.changeBy(principal);
    const updated = await this.definitions.change(
      id,
      (workflow) => {
        this.assertMayChange(principal, workflow);
        workflow.changedWithKeyId = by.changedWithKeyId;
        if (changes.name !== undefined) workflow.name = changes.name;
        if (changes.description !== undefined) workflow.description = changes.description;
        // Compared again under the lock: the same steps sent twice at once make one version, not two.
        if (steps && !sameRequest(steps, workflow.steps)) {
          workflow.steps = steps;
          workflow.version += 1;
        }
        if (triggers) Object.assign(workflow, { triggers, triggersSince: new Date(), triggersPausedReason: null });
        return {
          action: 'workflow.update',
          outcome: 'success',
          resourceType: 'workflow',
          resourceId: id,
          details: { version: workflow.version, ...(triggers ? { triggers: triggers.length } : {}) },
        };
      },
      audit,
      by.check,
    );
    if (triggers) await this.triggerIndex.invalidate(updated.createdBy);
    return updated;
  }

  async remove(principal: Principal, id: string, audit?: AuditRequestContext): Promise<void> {
    const removed = await this.definitions.change(
      id,
      (workflow) => {
        this.assertMayChange(principal, workflow);
        workflow.deletedAt = new Date();
        return { action: 'workflow.delete', outcome: 'success', resourceType: 'workflow', resourceId: id };
      },
      audit,
    );
    if (removed.triggers.length) await this.triggerIndex.invalidate(removed.createdBy);
  }

  /**
   * Records the run (once per idempotency key, when given), then advances it: its first steps' templates are evaluated after the run is committed,
   * never inside its transaction. Should the process stop in between, the sweeper advances the run.
   */
  async start(
    createdBy: string,
    workflowId: string,
    { input, tags }: RunStart,
    audit?: AuditRequestContext,
    idempotencyKey?: string,
  ): Promise<WorkflowRunEntity> {
    return (await this.startOnce(createdBy, workflowId, { input, tags }, { audit, idempotencyKey })).run;
  }

  /**
   * {@link start}, saying whether this call made the run (`created` false: the idempotency key's earlier run).
   * `origin` names what started it for its creator (a hook, a trigger): the audit entry then has the platform
   * as its actor, the origin in its details; `triggerDepth` is how many triggered runs led to it.
   */
  async startOnce(
    createdBy: string,
    workflowId: string,
    { input, tags }: RunStart,
    options: StartOptions = {},
  ): Promise<{ run: WorkflowRunEntity; created: boolean }> {
    const { audit, idempotencyKey, clientKey, origin, triggerDepth } = options;
    // A retry of a request that started its run gets it back, even where a new run would be refused now.
    const earlier = idempotencyKey ? await this.runStore.earlier(createdBy, idempotencyKey, audit) : undefined;
    const workflow = earlier ? undefined : await this.get(workflowId);
    if (workflow) await this.refuseDeletedAgents(workflow.steps);
    const { run, created } = !workflow
      ? { run: earlier!, created: false }
      : await this.runStore.create(
          {
            workflowId,
            workflowVersion: workflow.version,
            definition: workflow.steps,
            status: 'running',
            input: input ?? {},
            output: null,
            steps: initialSteps(workflow.steps),
            tags: tags ?? [],
            createdBy,
            finishedAt: null,
            idempotencyKey: idempotencyKey ?? null,
            triggerDepth: triggerDepth ?? 0,
          },
          (fresh) => ({
            action: 'workflow.run',
            outcome: 'success',
            resourceType: 'workflowRun',
            resourceId: fresh.id,
            details: { workflowId, tags: fresh.tags, ...(origin ? { createdBy, ...origin } : {}) },
            ...(origin ? { actorType: 'system' as const, actorId: null } : {}),
          }),
          audit,
          (em) => this.definitions.holdLive(em, workflowId),
        );
    if (!created) {
      const asked = { workflowId, input: input ?? {}, tags: tags ?? [] };
      if (clientKey && !sameRequest(asked, { workflowId: run.workflowId, input: run.input, tags: run.tags }))
        throw new IdempotencyConflictError(undefined, run.workflowId === workflowId ? undefined : 'another workflow');
      return { run, created };
    }
    return { run: (await this.engine.begin(run)) ?? run, created };
  }

  /** Steps waiting now across running runs, by kind (`approval`, `wait`), for the metrics. */
  waitingStepCounts(): Promise<Record<string, number>> {
    return this.runStore.waitingStepCounts();
  }

  /** Runs of `creators` concluded after `after` and by `until`, in conclusion order: for catching up with them. */
  concludedBetween(after: FinishCursor, until: Date, creators: string[], limit: number): Promise<WorkflowRunEntity[]> {
    return this.runStore.concludedBetween(after, until, creators, limit);
  }

  /** The run's status; undefined when there is no such run. */
  async runStatus(runId: string): Promise<WorkflowRunEntity['status'] | undefined> {
    return (await this.runStore.findById(runId))?.status;
  }

  /** A run the caller may see: their own, or any for an admin. Anyone else's is "not found". */
  async getRun(principal: Principal, runId: string): Promise<WorkflowRunEntity> {
    const run = await this.runStore.findById(runId, isAdmin(principal) ? undefined : principal.userId);
    if (!run) throw new NotFoundError('Workflow run');
    return run;
  }

  /** Runs the caller may see (their own; an admin's: everyone's), newest first, by the list's filters. */
  async listRuns(principal: Principal, query: RunListQuery): Promise<Page<ListedRun>> {
    const { items, total } = await this.runStore.list(
      {
        createdBy: isAdmin(principal) ? undefined : principal.userId,
        status: query.status,
        workflowId: query.workflowId,
        createdAfter: query.createdAfter,
        createdBefore: query.createdBefore,
        tag: query.tag,
      },
      query.skip,
      query.limit,
    );
    return new Page(items, total, query.skip, query.limit);
  }

  async cancelRun(principal: Principal, runId: string, audit?: AuditRequestContext): Promise<WorkflowRunEntity> {
    return this.cancellation.cancel(runId, isAdmin(principal) ? undefined : principal.userId, audit);
  }
}
