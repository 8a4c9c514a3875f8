import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { Metrics } from '../metrics/metrics.service';
import { FINAL_STATUSES } from '../tasks/task';
import { TaskSubmission } from '../tasks/task-submission';
import { TasksService } from '../tasks/tasks.service';
import { UsersService } from '../users/users.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { type FirePause, pauseFor } from './fire-refusals';
import { ScheduleRepository } from './persistence/schedule.repository';
import type { FireTargets, ScheduleStore } from './ports';
import { fireKey, type Schedule, timingOf } from './schedule';
import { ScheduleFileReads } from './schedule-file-reads';
import { fireFor, firesAfter } from './schedule-timing';

/** What {@link ScheduleFiring} needs of the schedules' table, and what it counts. */
export type FireStore = Pick<ScheduleStore, 'findById' | 'recordFire' | 'update'>;
export type FireMetrics = Pick<Metrics, 'scheduleFire'>;

/**
 * How many of a schedule's fires a fire looks at, from the time the schedule is handled until: the time moves past
 * at most so many at once (the next fire, or the sync, moves it on).
 */
const FIRES_LOOKED_AT = 100;

/** What a fire came to. */
export type FireOutcome = 'made' | 'done-before' | 'skipped-overlap' | 'failed' | 'not-due';

/**
 * Makes one fire of a schedule: the task or run it starts, once. Safe to call for the same fire any number
 * of times, from any process: the fire's idempotency key (schedule and fire time) lets one task or run be
 * made, and Postgres records which fires are handled.
 */
@Injectable()
export class ScheduleFiring {
  private readonly logger = new Logger(ScheduleFiring.name);

  constructor(
    @Inject(ScheduleRepository) private readonly schedules: FireStore,
    @Inject(TaskSubmission) private readonly submission: FireTargets['submission'],
    @Inject(TasksService) private readonly tasks: FireTargets['tasks'],
    @Inject(WorkflowsService) private readonly workflows: FireTargets['workflows'],
    private readonly audit: AuditService,
    @Inject(Metrics) private readonly metrics: FireMetrics,
    @Inject(UsersService) private readonly users: Pick<UsersService, 'assertMayStill'>,
    @Inject(ScheduleFileReads) private readonly fileReads: Pick<ScheduleFileReads, 'assertFireMayRead'>,
  ) {}

  /** The fire a job scheduler's job stands for, its time snapped to the schedule's own ({@link fireFor}). */
  async fireJob(scheduleId: string, jobMillis: number): Promise<FireOutcome> {
    const schedule = await this.schedules.findById(scheduleId);
    if (!schedule) return 'not-due';
    return this.fire(scheduleId, fireFor(timingOf(schedule), jobMillis), schedule);
  }

  async fire(scheduleId: string, fireAt: Date, read?: Schedule): Promise<FireOutcome> {
    const schedule = read ?? (await this.schedules.findById(scheduleId));
    if (!schedule || !this.due(schedule, fireAt)) return 'not-due';
    if (fireAt.getTime() <= schedule.firedUntil.getTime()) return 'done-before';
    // The fires from the handled-until time to this one, and on to now: the time moves past those handled (this
    // one, and those with their line in the history: made on time while an earlier one was missed), up to the
    // first still to be made (a missed one, which the sync makes late, and then passes them).
    const until = new Date(Math.max(Date.now(), fireAt.getTime()));
    const fires = firesAfter(timingOf(schedule), schedule.firedUntil, FIRES_LOOKED_AT, until);
    // Each fire is counted once: by the handling that wrote its line, not by one that finds it written.
    if (schedule.overlap === 'skip' && (await this.lastStillGoing(schedule))) {
      const skipped = { outcome: 'skipped-overlap', targetId: null } as const;
      if (await this.schedules.recordFire(schedule.id, fireAt, null, fires, skipped))
        this.metrics.scheduleFire('skipped-overlap');
      return 'skipped-overlap';
    }
    let targetId: string | null;
    try {
      targetId = await this.make(schedule, fireAt);
    } catch (err) {
      // Postgres or Redis away: thrown, so the job is tried again. A refusal (the agent or workflow is gone,
      // the input no longer fits) would be refused again: the fire is over, and the audit log says why.
      if (!(err instanceof AppError)) throw err;
      await this.audit.record({
        action: 'schedule.fire',
        outcome: 'failure',
        resourceType: 'schedule',
        resourceId: schedule.id,
        details: { fireAt: fireAt.toISOString(), error: err.code },
      });
      const failed = { outcome: 'failed', targetId: null, error: err.code } as const;
      if (await this.schedules.recordFire(schedule.id, fireAt, null, fires, failed))
        this.metrics.scheduleFire('failed');
      this.logger.warn(`schedule ${schedule.id} fire at ${fireAt.toISOString()}: ${err.code}`);
      const pause = pauseFor(err);
      if (pause) await this.pause(schedule, pause);
      return 'failed';
    }
    const first = await this.schedules.recordFire(
      schedule.id,
      fireAt,
      targetId,
      fires,
      targetId ? { outcome: 'made', targetId } : undefined,
    );
    if (first) this.metrics.scheduleFire('made', (Date.now() - fireAt.getTime()) / 1000);
    return targetId ? 'made' : 'done-before';
  }

  /**
   * Pauses a schedule whose fires would all be refused (see {@link pauseFor}), saying why, with its audit entry:
   * every later fire would fail the same way, each with an audit entry and a warning, for as long as nobody
   * looks. Resuming it (once its target is changed) is its owner's to do.
   */
  private async pause(schedule: Schedule, { pausedReason, reason }: FirePause): Promise<void> {
    await this.schedules.update(schedule.id, undefined, (current) => {
      Object.assign(current, { paused: true, pausedReason });
      return {
        action: 'schedule.update',
        outcome: 'success',
        resourceType: 'schedule',
        resourceId: schedule.id,
        actorType: 'system',
        actorId: null,
        details: { fields: ['paused'], paused: true, reason, pausedReason },
      };
    });
    this.logger.warn(`schedule ${schedule.id} paused: ${pausedReason}`);
  }

  /** A fire that a schedule, as it is now, makes: not paused, within its window (see {@link timingOf}). */
  private due(schedule: Schedule, fireAt: Date): boolean {
    const at = fireAt.getTime();
    const { startAt, endAt } = timingOf(schedule);
    return !schedule.paused && (!startAt || at >= startAt.getTime()) && (!endAt || at <= endAt.getTime());
  }

  /**
   * The task or run of the fire, made once per fire: the same fire made again returns the first one, or
   * null when it was made with an input the schedule has changed since.
   */
  private async make(schedule: Schedule, fireAt: Date): Promise<string | null> {
    const key = fireKey(schedule.id, fireAt);
    // The schedule acts as its creator: only while they may do so themselves.
    await this.users.assertMayStill(schedule.createdBy, schedule.workflowId ? 'workflows:write' : 'tasks:write');
    // And within the scopes of the API key it was set with: a workflow's steps may read a file since.
    await this.fileReads.assertFireMayRead(schedule);
    // Made by the platform for the schedule's creator: its audit entry names the schedule, the fire and the creator.
    const origin = { scheduleId: schedule.id, fireAt: fireAt.toISOString() };
    if (schedule.workflowId) {
      const run = { input: schedule.input, tags: schedule.tags };
      const options = { idempotencyKey: key, origin };
      return (await this.workflows.startOnce(schedule.createdBy, schedule.workflowId, run, options)).run.id;
    }
    const dto = { agentId: schedule.agentId!, input: schedule.input, metadata: origin, tags: schedule.tags };
    try {
      return (await this.submission.submit(schedule.createdBy, dto, key, undefined, origin)).task.id;
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.IDEMPOTENCY_CONFLICT) return null;
      throw err;
    }
  }

  /** Whether what the last fire made (a task or a run) has not finished. */
  private async lastStillGoing(schedule: Schedule): Promise<boolean> {
    const id = schedule.lastTargetId;
    if (!id) return false;
    if (schedule.workflowId) return (await this.workflows.runStatus(id)) === 'running';
    const [task] = await this.tasks.statesOf([id]);
    return task !== undefined && !FINAL_STATUSES.includes(task.status);
  }
}
