import type { EntityManager } from 'typeorm';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { AuditRequestContext } from '../audit/audit-context';
import { sentFields } from '../audit/sent-fields';
import { assertHolds, isAdmin, type Principal } from '../auth/principal';
import { type ErrorDetail, NotFoundError, ValidationFailedError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import { TaskSubmission } from '../tasks/task-submission';
import { StartTargets } from '../workflows/start-targets';
import { WorkflowAgentDeletedError, WorkflowNotFoundError } from '../workflows/workflows.errors';
import { WorkflowsService } from '../workflows/workflows.service';
import type { CreateScheduleDto, ScheduleTargetDto, UpdateScheduleDto } from './dto/schedule.dto';
import { type ScheduleFilter, type ScheduleFire, ScheduleRepository } from './persistence/schedule.repository';
import type { FireTargets, ScheduleStore } from './ports';
import { mayFire, newScheduleEndProblems, type Schedule, timingOf, timingProblems } from './schedule';
import { ScheduleFileReads } from './schedule-file-reads';
import { ScheduleQueue } from './schedule-queue';
import { firesAfter } from './schedule-timing';

/** How many fire times a schedule shows ahead. */
const NEXT_FIRES = 5;

/** Why a schedule set running with an API key stopped when the key was revoked. */
export const PAUSED_WITH_KEY = 'The API key that created or last changed it was revoked';

/** A schedule with the next times it fires. */
export interface ScheduleView {
  schedule: Schedule;
  nextFires: Date[];
  /** Its agent or workflow was deleted since (its next fire pauses it). */
  targetDeleted: boolean;
}

/**
 * Schedules as their users keep them: checked (a cron pattern in a known time zone, or a period; a target
 * that exists, with an input it takes), stored with their audit entry, and put in Redis as job schedulers.
 * Users see and change their own schedules; admins every schedule.
 */
@Injectable()
export class SchedulesService implements OnModuleInit {
  private readonly logger = new Logger(SchedulesService.name);

  constructor(
    @Inject(ScheduleRepository) private readonly store: ScheduleStore,
    private readonly queue: ScheduleQueue,
    @Inject(TaskSubmission) private readonly submission: FireTargets['submission'],
    @Inject(WorkflowsService) private readonly workflows: FireTargets['workflows'],
    @Inject(ApiKeysService) private readonly keys: Pick<ApiKeysService, 'changeBy' | 'whenRevoked'>,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'schedules'>,
    @Inject(ScheduleFileReads) private readonly fileReads: Pick<ScheduleFileReads, 'assertMayRead'>,
    @Inject(StartTargets) private readonly targets: Pick<StartTargets, 'deletedAmong'>,
  ) {}

  /** A revoked key's schedules are paused with it (see ApiKeysService.revoke). */
  onModuleInit(): void {
    this.keys.whenRevoked({
      kind: 'pausedSchedules',
      count: (keyId) => this.store.countRunningChangedWithKey(keyId),
      stop: async (em, keyId, audit) => {
        const paused = await this.store.pauseChangedWithKey(
          em,
          keyId,
          PAUSED_WITH_KEY,
          (schedule) => ({
            action: 'schedule.update',
            outcome: 'success',
            resourceType: 'schedule',
            resourceId: schedule.id,
            details: { fields: ['paused'], paused: true, reason: 'apikey.revoke', revokedKeyId: keyId },
          }),
          audit,
        );
        return {
          count: paused.length,
          // A fire checks the schedule in Postgres, so it is paused already. Redis loses the schedulers it
          // holds of them now (the workers' sync would, within a period).
          afterCommit: async () => {
            if (!paused.length) return;
            const held = await this.queue.schedulers().catch(() => new Map<string, unknown>());
            for (const { id } of paused) {
              if (!held.has(id)) continue;
              await this.queue
                .remove(id)
                .catch((err: Error) => this.logger.warn(`schedule ${id} left in Redis: ${err.message}`));
            }
          },
        };
      },
    });
  }

  async create(principal: Principal, dto: CreateScheduleDto, audit?: AuditRequestContext): Promise<ScheduleView> {
    const timing = { cron: dto.cron ?? null, everyMs: dto.everyMs ?? null, timezone: dto.timezone ?? 'UTC' };
    const fields = { ...timing, startAt: dto.startAt ?? null, endAt: dto.endAt ?? null };
    mayStart(principal, dto.target);
    await this.fileReads.assertMayRead(principal, dto.target);
    const problems = timingProblems(fields);
    problems.push(...newScheduleEndProblems(fields, problems));
    await this.check(principal.userId, problems, dto.target);
    const by = this.keys.changeBy(principal);
    const schedule = await this.store.create(
      {
        name: dto.name,
        agentId: dto.target.agentId ?? null,
        workflowId: dto.target.workflowId ?? null,
        input: dto.target.input,
        ...timing,
        startAt: dto.startAt ?? null,
        endAt: dto.endAt ?? null,
        paused: dto.paused ?? false,
        pausedReason: null,
        overlap: dto.overlap ?? 'allow',
        tags: dto.tags ?? [],
        firedUntil: new Date(),
        lastTargetId: null,
        lastFireAt: null,
        createdBy: principal.userId,
        changedWithKeyId: by.changedWithKeyId,
      },
      (created) => ({
        action: 'schedule.create',
        outcome: 'success',
        resourceType: 'schedule',
        resourceId: created.id,
        details: { name: created.name, cron: created.cron, everyMs: created.everyMs },
      }),
      audit,
      by.check,
      this.config.schedules.perUser,
    );
    await this.putInQueue(schedule);
    return (await this.views([schedule]))[0];
  }

  async get(principal: Principal, id: string): Promise<ScheduleView> {
    return (await this.views([await this.find(principal, id)]))[0];
  }

  async list(principal: Principal, skip: number, limit: number, filter?: ScheduleFilter): Promise<Page<ScheduleView>> {
    const owner = isAdmin(principal) ? undefined : principal.userId;
    const { items, total } = await this.store.list(owner, skip, limit, filter);
    return new Page(await this.views(items), total, skip, limit);
  }

  /**
   * Changes under the schedule's lock. A schedule resumed, or given new times, fires from now on: the fires
   * it would have made before are not made late.
   */
  async update(
    principal: Principal,
    id: string,
    dto: UpdateScheduleDto,
    audit?: AuditRequestContext,
  ): Promise<ScheduleView> {
    const by = this.keys.changeBy(principal);
    const updated = await this.store.update(
      id,
      isAdmin(principal) ? undefined : principal.userId,
      async (schedule, em) => {
        const before = {
          paused: schedule.paused,
          fires: mayFire(schedule),
          timing: JSON.stringify(timingOf(schedule)),
        };
        if (dto.cron !== undefined) Object.assign(schedule, { cron: dto.cron, everyMs: null });
        if (dto.everyMs !== undefined) Object.assign(schedule, { everyMs: dto.everyMs, cron: null });
        if (dto.cron !== undefined && dto.everyMs !== undefined)
          throw new ValidationFailedError([{ field: '/everyMs', message: 'give either cron or everyMs, not both' }]);
        for (const key of ['name', 'timezone', 'startAt', 'endAt', 'paused', 'overlap', 'tags'] as const) {
          if (dto[key] !== undefined) Object.assign(schedule, { [key]: dto[key] });
        }
        if (dto.target) {
          Object.assign(schedule, {
            agentId: dto.target.agentId ?? null,
            workflowId: dto.target.workflowId ?? null,
            input: dto.target.input,
          });
        }
        const resumed = before.paused && !schedule.paused;
        // The target is checked when it changes or starts firing again, not for a rename or a pause: a
        // schedule whose agent or workflow was deleted can always be paused.
        const target = {
          agentId: schedule.agentId ?? undefined,
          workflowId: schedule.workflowId ?? undefined,
          input: schedule.input,
        };
        // Firing again (resumed, or an end moved past now) is starting: as a new target is.
        if (dto.target || resumed || (!before.fires && mayFire(schedule))) mayStart(principal, target);
        // Its fires act with the caller's key from now on (see ScheduleFileReads): a pause leaves none to make.
        if (dto.target || mayFire(schedule)) await this.fileReads.assertMayRead(principal, target, em);
        // A pattern kept from before it fires too seldom stays as it is until `cron` changes.
        const problems = timingProblems(schedule, dto.cron !== undefined);
        await this.check(schedule.createdBy, problems, dto.target || resumed ? target : undefined, em);
        if (resumed || before.timing !== JSON.stringify(timingOf(schedule))) schedule.firedUntil = new Date();
        // A user's pause or resume replaces the platform's reason; the change is theirs, or their key's.
        if (dto.paused !== undefined) schedule.pausedReason = null;
        schedule.changedWithKeyId = by.changedWithKeyId;
        return {
          action: 'schedule.update',
          outcome: 'success',
          resourceType: 'schedule',
          resourceId: id,
          details: { fields: sentFields(dto) },
        };
      },
      audit,
      by.check,
    );
    if (!updated) throw new NotFoundError('Schedule');
    await this.putInQueue(updated);
    return (await this.views([updated]))[0];
  }

  async delete(principal: Principal, id: string, audit?: AuditRequestContext): Promise<void> {
    const deleted = await this.store.delete(
      id,
      isAdmin(principal) ? undefined : principal.userId,
      { action: 'schedule.delete', outcome: 'success', resourceType: 'schedule', resourceId: id },
      audit,
    );
    if (!deleted) throw new NotFoundError('Schedule');
    await this.queue.remove(id).catch((err: Error) => this.logger.warn(`schedule ${id} left in Redis: ${err.message}`));
  }

  /** A schedule's handled fires, latest first. */
  async fires(principal: Principal, id: string, skip: number, limit: number): Promise<Page<ScheduleFire>> {
    await this.find(principal, id);
    const { items, total } = await this.store.fires(id, skip, limit);
    return new Page(items, total, skip, limit);
  }

  private async find(principal: Principal, id: string): Promise<Schedule> {
    const schedule = await this.store.findById(id, isAdmin(principal) ? undefined : principal.userId);
    if (!schedule) throw new NotFoundError('Schedule');
    return schedule;
  }

  /** The schedules with their next fires, and whether their targets were deleted (one lookup for them all). */
  private async views(schedules: Schedule[]): Promise<ScheduleView[]> {
    const deleted = await this.targets.deletedAmong(schedules);
    // Schedules with the same times (a pattern many share) are read once.
    const known = new Map<string, Date[]>();
    const now = new Date();
    return schedules.map((schedule) => ({
      schedule,
      nextFires: this.nextFires(schedule, now, known),
      targetDeleted: deleted(schedule),
    }));
  }

  /** A schedule's next fires at `now`; `known` keeps them by times, for schedules read together. */
  private nextFires(schedule: Schedule, now: Date, known: Map<string, Date[]>): Date[] {
    if (!mayFire(schedule, now)) return [];
    const timing = timingOf(schedule);
    // A pattern's fires do not depend on the anchor, which fixed periods count from.
    const key = JSON.stringify(timing.cron ? { ...timing, anchor: null } : timing);
    let nextFires = known.get(key);
    if (!nextFires) {
      nextFires = firesAfter(timing, now, NEXT_FIRES);
      known.set(key, nextFires);
    }
    return nextFires;
  }

  /**
   * Redis down: the schedule is stored, and the workers' sync puts its job scheduler in Redis once it is
   * back (pausing takes effect at once regardless: a fire checks the schedule in Postgres).
   */
  private async putInQueue(schedule: Schedule): Promise<void> {
    await this.queue
      .put(schedule)
      .catch((err: Error) => this.logger.warn(`schedule ${schedule.id} not yet in Redis: ${err.message}`));
  }

  /**
   * Refuses a schedule with the problems `found` in its times and any of its target (when given), all at once,
   * as JSON pointers into the request body.
   */
  private async check(
    createdBy: string,
    found: ErrorDetail[],
    target?: ScheduleTargetDto,
    em?: EntityManager,
  ): Promise<void> {
    const problems = [...found, ...(target ? await this.targetProblems(createdBy, target, em) : [])];
    if (problems.length) throw new ValidationFailedError(problems, 'The schedule is invalid');
  }

  /** `em`: the transaction of a change, which holds the schedule's lock; what is read is read in it. */
  private async targetProblems(
    createdBy: string,
    target: ScheduleTargetDto,
    em?: EntityManager,
  ): Promise<ErrorDetail[]> {
    if ((target.agentId === undefined) === (target.workflowId === undefined))
      return [{ field: '/target', message: 'name either agentId or workflowId' }];
    if (target.agentId !== undefined) {
      const prepared = await this.submission.prepare(
        createdBy,
        { agentId: target.agentId, input: target.input },
        { base: '/target', em },
      );
      return Array.isArray(prepared) ? prepared : [];
    }
    // A run would be refused (409) at every fire: refused now, as a new run is.
    const found = await this.workflows.detail(target.workflowId!, em).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
    if (!found) return [{ field: '/target/workflowId', message: 'no workflow with this id' }];
    if (found.stepsWithDeletedAgent.length) throw new WorkflowAgentDeletedError(found.stepsWithDeletedAgent);
    return [];
  }
}

/** A schedule starts tasks or runs for its creator: setting one to, or resuming it, takes starting them. */
function mayStart(principal: Principal, target: { workflowId?: string | null }): void {
  if (target.workflowId) assertHolds(principal, 'workflows:write', 'A schedule that starts workflow runs');
  else assertHolds(principal, 'tasks:write', 'A schedule that starts tasks');
}
