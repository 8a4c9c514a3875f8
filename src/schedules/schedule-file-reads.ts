import type { EntityManager } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import { FileReads, type TaskStart } from '../agents/file-reads';
import type { Principal } from '../auth/principal';
import { isTaskStep } from '../workflows/workflow-definition';
import { WorkflowNotFoundError } from '../workflows/workflows.errors';
import { WorkflowsService } from '../workflows/workflows.service';
import type { Schedule } from './schedule';
import { ScheduleKeyReadsNoFilesError } from './schedules.errors';

/** What a schedule starts: an agent's task with its input, or a workflow's runs. */
export interface ScheduleTarget {
  agentId?: string | null;
  workflowId?: string | null;
  input?: unknown;
}

/**
 * A schedule whose target reads a stored file (a data-processor task with `file`, or a workflow with such a step)
 * reads it at every fire, as its creator: setting one takes `files:read`, as starting the target directly does
 * (see {@link FileReads}). Fires act with the API key that created or last changed the schedule
 * (`changedWithKeyId`), within its scopes, which never change; with none, as the signed-in user who did, whose
 * role holds `files:read` (every role does).
 */
@Injectable()
export class ScheduleFileReads {
  constructor(
    @Inject(FileReads) private readonly fileReads: Pick<FileReads, 'assertMayRead' | 'keyMayStart'>,
    @Inject(WorkflowsService) private readonly workflows: Pick<WorkflowsService, 'get'>,
  ) {}

  /** When the schedule is set: 403 naming `files:read` for a caller without it, when its target reads a file. */
  async assertMayRead(principal: Principal, target: ScheduleTarget, em?: EntityManager): Promise<void> {
    const what = target.workflowId
      ? 'A schedule that starts runs of a workflow whose steps read a file'
      : 'A schedule that starts a task that reads a file';
    await this.fileReads.assertMayRead(principal, () => this.startsOf(target, em), what, em);
  }

  /**
   * When it fires: refused ({@link ScheduleKeyReadsNoFilesError}) when its key lacks `files:read` and its target
   * reads a file now, which only a workflow's changed steps make so (what a schedule was set with was checked).
   */
  async assertFireMayRead(schedule: Schedule): Promise<void> {
    if (!(await this.fileReads.keyMayStart(schedule.changedWithKeyId, () => this.startsOf(schedule))))
      throw new ScheduleKeyReadsNoFilesError();
  }

  /** The tasks the target starts (a workflow's task steps); none for a workflow that is gone, which is refused apart. */
  private async startsOf(target: ScheduleTarget, em?: EntityManager): Promise<TaskStart[]> {
    if (target.workflowId) {
      const workflow = await this.workflows.get(target.workflowId, em).catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
      return workflow?.steps.filter(isTaskStep) ?? [];
    }
    return target.agentId ? [{ agentId: target.agentId, input: target.input }] : [];
  }
}
