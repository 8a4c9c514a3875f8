import { Injectable, Logger } from '@nestjs/common';
import { FileReads } from '../../agents/file-reads';
import { AuditService } from '../../audit/audit.service';
import { AppError, ForbiddenError, NotFoundError } from '../../common/errors/app.error';
import { Metrics, type TriggerStartOutcome } from '../../metrics/metrics.service';
import { taskView } from '../../tasks/task-view';
import { TasksService } from '../../tasks/tasks.service';
import { UsersService } from '../../users/users.service';
import type { TriggerStartJobData } from '../../jobs/queues';
import type { WorkflowEntity } from '../entities/workflow.entity';
import { WorkflowRunRepository } from '../persistence/workflow-run.repository';
import { runDto } from '../run-view';
import { isTaskStep } from '../workflow-definition';
import { WorkflowsService } from '../workflows.service';
import {
  isRunEvent,
  MAX_TRIGGER_DEPTH,
  TRIGGER_EVENTS,
  type TriggerEvent,
  triggerKey,
  triggerMatches,
} from './trigger-definition';

/** What an event's task or run tells a trigger. */
interface EventSource {
  createdBy: string;
  finishedAt: Date | null;
  agentId?: string;
  workflowId?: string;
  /** The trigger depth of a run it would start. */
  depth: number;
  /** The run's input: the event and the task or run as the API returns it. */
  input: Record<string, unknown>;
  origin: Record<string, unknown>;
  /**
   * What the started run is one per (its idempotency key's source): the event's task or run; for a step task of a
   * run a trigger started, that run, so a chain of triggers grows by one run a level however wide its runs are.
   */
  keyedBy: string;
}

/**
 * Starts the run one trigger owes one event, at most once however often it is asked (the run's idempotency
 * key is the workflow, the event and the task or run): the workflow must still start on it, the task or run
 * be its creator's and have finished after the trigger was declared, and the chain of trigger starts behind
 * it be shorter than {@link MAX_TRIGGER_DEPTH}.
 */
@Injectable()
export class TriggerStarter {
  private readonly logger = new Logger(TriggerStarter.name);

  constructor(
    private readonly workflows: WorkflowsService,
    private readonly tasks: TasksService,
    private readonly runs: WorkflowRunRepository,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
    private readonly users: UsersService,
    private readonly fileReads: FileReads,
  ) {}

  /** Throws only what may pass on a retry (Postgres away); what would be refused again is counted and dropped. */
  async start(job: TriggerStartJobData): Promise<TriggerStartOutcome | 'not-due'> {
    const event = job.event as TriggerEvent;
    if (!TRIGGER_EVENTS.includes(event)) return 'not-due';
    const workflow = await this.workflows.get(job.workflowId).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    const source = await this.source(event, job.sourceId);
    if (!workflow || !source || !this.owes(workflow, event, source)) return 'not-due';
    if (source.depth > MAX_TRIGGER_DEPTH) {
      await this.refuse(workflow, event, job.sourceId);
      return this.count(event, 'refused_depth');
    }
    try {
      // The trigger acts as the workflow's creator: only while they may start runs themselves.
      await this.users.assertMayStill(workflow.createdBy, 'workflows:write');
      await this.assertKeyMayRead(workflow);
      const { created } = await this.workflows.startOnce(
        workflow.createdBy,
        workflow.id,
        { input: source.input },
        {
          idempotencyKey: triggerKey(workflow.id, event, source.keyedBy),
          origin: source.origin,
          triggerDepth: source.depth,
        },
      );
      return this.count(event, created ? 'started' : 'duplicate');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      this.logger.warn(`trigger of workflow ${workflow.id} on ${event} ${job.sourceId}: ${err.code}`);
      return this.count(event, 'failed');
    }
  }

  /**
   * Triggers set with an API key act within its scopes (which never change): its triggers start no run of steps
   * that read a file unless it holds `files:read`, as it could not start one itself (a change of the steps by a
   * signed-in user since makes them the user's, `changedWithKeyId` null).
   */
  private async assertKeyMayRead(workflow: WorkflowEntity): Promise<void> {
    const steps = async () => workflow.steps.filter(isTaskStep);
    if (!(await this.fileReads.keyMayStart(workflow.changedWithKeyId, steps)))
      throw new ForbiddenError('The API key that set the triggers does not hold files:read, which its steps take');
  }

  /**
   * The depth a run started for this task or run would have, and what it is one run per (its key's source);
   * undefined when there is no such task or run.
   */
  async chainOf(event: TriggerEvent, sourceId: string): Promise<Pick<EventSource, 'depth' | 'keyedBy'> | undefined> {
    return this.source(event, sourceId);
  }

  private owes(workflow: WorkflowEntity, event: TriggerEvent, source: EventSource): boolean {
    return (
      source.createdBy === workflow.createdBy &&
      workflow.triggersPausedReason === null &&
      source.finishedAt !== null &&
      (!workflow.triggersSince || source.finishedAt >= workflow.triggersSince) &&
      workflow.triggers.some((t) => triggerMatches(t, event, source))
    );
  }

  private async source(event: TriggerEvent, id: string): Promise<EventSource | undefined> {
    if (isRunEvent(event)) {
      const run = await this.runs.findById(id);
      if (!run || `run.${run.status}` !== event) return undefined;
      return {
        createdBy: run.createdBy,
        finishedAt: run.finishedAt,
        workflowId: run.workflowId,
        depth: run.triggerDepth + 1,
        input: { event, run: runDto(run) },
        origin: { trigger: { event, runId: id } },
        keyedBy: id,
      };
    }
    const task = await this.tasks.find(id);
    if (!task || `task.${task.status}` !== event) return undefined;
    const parent = task.runId ? await this.runs.findById(task.runId) : undefined;
    return {
      createdBy: task.createdBy,
      finishedAt: task.finishedAt,
      agentId: task.agentId,
      depth: (parent?.triggerDepth ?? 0) + 1,
      input: { event, task: taskView(task) },
      origin: { trigger: { event, taskId: id } },
      keyedBy: parent && parent.triggerDepth > 0 ? `run:${parent.id}` : id,
    };
  }

  private async refuse(workflow: WorkflowEntity, event: TriggerEvent, sourceId: string): Promise<void> {
    this.logger.warn(
      `trigger of workflow ${workflow.id} on ${event} ${sourceId} refused: chain deeper than ${MAX_TRIGGER_DEPTH}`,
    );
    await this.audit.record({
      action: 'workflow.trigger',
      outcome: 'failure',
      resourceType: 'workflow',
      resourceId: workflow.id,
      details: { event, sourceId, reason: `trigger chain deeper than ${MAX_TRIGGER_DEPTH}` },
    });
  }

  private count(event: TriggerEvent, outcome: TriggerStartOutcome): TriggerStartOutcome {
    this.metrics.triggerStart(event, outcome);
    return outcome;
  }
}
