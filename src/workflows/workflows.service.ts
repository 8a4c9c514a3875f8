import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditService } from '../audit/audit.service';
import { isAdmin, type Principal } from '../auth/principal';
import { InvalidStateError, NotFoundError, ValidationFailedError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import { SchemaValidator } from '../common/schema/schema-validator';
import type { CreateWorkflowDto, UpdateWorkflowDto, WorkflowStepDto } from './dto/workflow.dto';
import type { WorkflowRunEntity } from './entities/workflow-run.entity';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import { WorkflowEntity } from './entities/workflow.entity';
import { definitionProblems, type WorkflowStep } from './workflow-definition';
import { TemplateEvaluator } from './template-evaluator';
import { initialSteps, WorkflowEngine } from './workflow-engine';
import { normalizedTriggers, triggerProblems, type WorkflowTrigger } from './triggers/trigger-definition';
import { TriggerIndex } from './triggers/trigger-index';
import type { WorkflowTriggerDto } from './triggers/trigger.dto';

/** How a run is started: see {@link WorkflowsService.startOnce}. */
export interface StartOptions {
  audit?: AuditRequestContext;
  idempotencyKey?: string;
  origin?: Record<string, unknown>;
  triggerDepth?: number;
}

@Injectable()
export class WorkflowsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly validator: SchemaValidator,
    private readonly engine: WorkflowEngine,
    private readonly templates: TemplateEvaluator,
    private readonly audit: AuditService,
    private readonly runStore: WorkflowRunRepository,
    private readonly triggerIndex: TriggerIndex,
  ) {}

  /** The triggers checked (agents and workflows named exist, see {@link triggerProblems}), as stored. */
  private async checkTriggers(triggers: WorkflowTriggerDto[], self?: string): Promise<WorkflowTrigger[]> {
    const agents = new Set<string>();
    const workflows = new Set<string>();
    for (const id of new Set(triggers.flatMap((t) => (t.agentId ? [t.agentId] : []))))
      if (await this.agents.exists(id)) agents.add(id);
    for (const id of new Set(triggers.flatMap((t) => (t.workflowId ? [t.workflowId] : []))))
      if (await this.dataSource.getRepository(WorkflowEntity).existsBy({ id, deletedAt: IsNull() })) workflows.add(id);
    const problems = triggerProblems(triggers, agents, workflows, self);
    if (problems.length) throw new ValidationFailedError(problems, 'The workflow definition is invalid');
    return normalizedTriggers(triggers);
  }

  private async checkSteps(steps: WorkflowStepDto[]): Promise<WorkflowStep[]> {
    const agentIds = [...new Set(steps.map((s) => s.agentId))];
    const known = new Set<string>();
    for (const id of agentIds) if (await this.agents.exists(id)) known.add(id);
    const problems = definitionProblems(steps, known);
    // Templates are parsed on the template threads (a long or deeply nested expression costs no event loop).
    for (const { path, message } of await this.templates.problems(steps.map((s) => s.input))) {
      const [, index, rest] = /^\/(\d+)(.*)$/.exec(path) ?? [];
      problems.push({ field: index === undefined ? '/steps' : `/steps/${index}/input${rest}`, message });
    }
    steps.forEach((step, i) => {
      if (step.when === undefined) return;
      const checked = this.validator.validate({ $ref: 'ymera:condition' }, step.when, `/steps/${i}/when`);
      if (!checked.valid) problems.push(...checked.errors);
    });
    if (problems.length) throw new ValidationFailedError(problems, 'The workflow definition is invalid');
    return steps.map(({ id, agentId, input, dependsOn, when, continueOnFailure }) => ({
      id,
      agentId,
      input,
      ...(dependsOn?.length ? { dependsOn } : {}),
      ...(when ? { when } : {}),
      ...(continueOnFailure ? { continueOnFailure } : {}),
    }));
  }

  async create(principal: Principal, input: CreateWorkflowDto, audit?: AuditRequestContext): Promise<WorkflowEntity> {
    const steps = await this.checkSteps(input.steps);
    const triggers = await this.checkTriggers(input.triggers ?? []);
    const created = await this.dataSource.transaction(async (em) => {
      const workflow = await em.save(
        em.create(WorkflowEntity, {
          name: input.name,
          description: input.description ?? null,
          steps,
          triggers,
          triggersSince: triggers.length ? new Date() : null,
          version: 1,
          createdBy: principal.userId,
        }),
      );
      await this.audit.record(
        {
          action: 'workflow.create',
          outcome: 'success',
          resourceType: 'workflow',
          resourceId: workflow.id,
          details: { name: workflow.name, steps: steps.length, triggers: triggers.length },
        },
        em,
        audit,
      );
      return workflow;
    });
    if (triggers.length) await this.triggerIndex.invalidate(created.createdBy);
    return created;
  }

  async list(skip: number, limit: number): Promise<Page<WorkflowEntity>> {
    const [items, total] = await this.dataSource
      .getRepository(WorkflowEntity)
      .findAndCount({ where: { deletedAt: IsNull() }, order: { createdAt: 'DESC' }, skip, take: limit });
    return new Page(items, total, skip, limit);
  }

  async get(id: string): Promise<WorkflowEntity> {
    const workflow = await this.dataSource.getRepository(WorkflowEntity).findOneBy({ id, deletedAt: IsNull() });
    if (!workflow) throw new NotFoundError('Workflow');
    return workflow;
  }

  /** A change of steps is a new version; runs already started keep the steps they began with. */
  async update(id: string, changes: UpdateWorkflowDto, audit?: AuditRequestContext): Promise<WorkflowEntity> {
    const steps = changes.steps ? await this.checkSteps(changes.steps) : undefined;
    const triggers = changes.triggers ? await this.checkTriggers(changes.triggers, id) : undefined;
    const updated = await this.dataSource.transaction(async (em) => {
      const workflow = await em.findOne(WorkflowEntity, {
        where: { id, deletedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!workflow) throw new NotFoundError('Workflow');
      if (changes.name !== undefined) workflow.name = changes.name;
      if (changes.description !== undefined) workflow.description = changes.description;
      if (steps) {
        workflow.steps = steps;
        workflow.version += 1;
      }
      if (triggers) Object.assign(workflow, { triggers, triggersSince: new Date() });
      const saved = await em.save(workflow);
      await this.audit.record(
        {
          action: 'workflow.update',
          outcome: 'success',
          resourceType: 'workflow',
          resourceId: id,
          details: { version: saved.version, ...(triggers ? { triggers: triggers.length } : {}) },
        },
        em,
        audit,
      );
      return saved;
    });
    if (triggers) await this.triggerIndex.invalidate(updated.createdBy);
    return updated;
  }

  async remove(id: string, audit?: AuditRequestContext): Promise<void> {
    const removed = await this.dataSource.transaction(async (em) => {
      const workflow = await em.findOne(WorkflowEntity, {
        where: { id, deletedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!workflow) throw new NotFoundError('Workflow');
      await em.update(WorkflowEntity, { id }, { deletedAt: new Date() });
      await this.audit.record(
        { action: 'workflow.delete', outcome: 'success', resourceType: 'workflow', resourceId: id },
        em,
        audit,
      );
      return workflow;
    });
    if (removed.triggers.length) await this.triggerIndex.invalidate(removed.createdBy);
  }

  /**
   * Records the run (once per idempotency key, when given), then advances it: its first steps' templates are evaluated after the run is committed,
   * never inside its transaction. Should the process stop in between, the sweeper advances the run.
   */
  async start(
    createdBy: string,
    workflowId: string,
    input: unknown,
    audit?: AuditRequestContext,
    idempotencyKey?: string,
  ): Promise<WorkflowRunEntity> {
    return (await this.startOnce(createdBy, workflowId, input, { audit, idempotencyKey })).run;
  }

  /**
   * {@link start}, saying whether this call made the run (`created` false: the idempotency key's earlier run).
   * `origin` names what started it for its creator (a hook, a trigger): the audit entry then has the platform
   * as its actor, the origin in its details; `triggerDepth` is how many triggered runs led to it.
   */
  async startOnce(
    createdBy: string,
    workflowId: string,
    input: unknown,
    options: StartOptions = {},
  ): Promise<{ run: WorkflowRunEntity; created: boolean }> {
    const { audit, idempotencyKey, origin, triggerDepth } = options;
    const workflow = await this.get(workflowId);
    const { run, created } = await this.runStore.create(
      {
        workflowId,
        workflowVersion: workflow.version,
        definition: workflow.steps,
        status: 'running',
        input: input ?? {},
        output: null,
        steps: initialSteps(workflow.steps),
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
        details: { workflowId, ...(origin ? { createdBy, ...origin } : {}) },
        ...(origin ? { actorType: 'system' as const, actorId: null } : {}),
      }),
      audit,
    );
    if (!created) return { run, created };
    return { run: (await this.engine.advance(run.id)) ?? run, created };
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

  async runs(principal: Principal, workflowId: string, skip: number, limit: number): Promise<Page<WorkflowRunEntity>> {
    await this.get(workflowId);
    const { items, total } = await this.runStore.listForWorkflow(
      workflowId,
      isAdmin(principal) ? undefined : principal.userId,
      skip,
      limit,
    );
    return new Page(items, total, skip, limit);
  }

  async cancelRun(principal: Principal, runId: string, audit?: AuditRequestContext): Promise<WorkflowRunEntity> {
    const run = await this.getRun(principal, runId);
    if (run.status !== 'running') throw new InvalidStateError(`A ${run.status} run cannot be cancelled`);
    return this.engine.cancel(run, audit);
  }
}
