import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ArrayContains, DataSource, type EntityManager, type FindOptionsWhere, IsNull, Not } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { type ChangeCheck, type OwnedRecord, OwnedRecords } from '../../audit/owned-records';
import { type FireRecordOutcome, ScheduleFireEntity } from '../entities/schedule-fire.entity';
import { ScheduleEntity } from '../entities/schedule.entity';

import type { Schedule } from '../schedule';

export type { Schedule };

/** A schedule that fires: what a key's revocation pauses. */
const RUNNING = { paused: false };
/** A new schedule's fields; the repository gives it its id and times. */
export type NewSchedule = Omit<ScheduleEntity, 'id' | 'createdAt' | 'updatedAt'>;
/** What a list of schedules may be narrowed to. */
export interface ScheduleFilter {
  paused?: boolean;
  tag?: string;
  target?: 'agent' | 'workflow';
  agentId?: string;
  workflowId?: string;
}
/** A handled fire, as the history shows it. */
export type ScheduleFire = Omit<ScheduleFireEntity, 'schedule'>;
/** What a fire came to, as its record keeps it. */
export interface FireRecord {
  outcome: FireRecordOutcome;
  targetId: string | null;
  error?: string;
}

/**
 * The time a schedule (the row an UPDATE of `schedules` changes) is handled until, once `fires` (a parameter: its
 * fires in order, from that time or before) are looked at: the last of them before the first one still to be
 * handled (after that time, neither `fire`, a parameter: the fire being recorded or NULL, nor in the history). A
 * fire made on time while an earlier one was missed is passed once that one is made: the time never stays behind
 * fires that are all handled, nor passes one that is not. Read in the statement's snapshot, a line committed
 * meanwhile may be missed: the time then moves past it with the next fire or sync pass.
 */
function handledUntil(fires: string, fire: string): string {
  // The first fire still to be handled is found once; the time moves to the last fire before it.
  return `GREATEST(fired_until, (
    SELECT max(f.at) FROM unnest(${fires}::timestamptz[]) AS f(at)
     WHERE f.at < COALESCE((
       SELECT min(o.at) FROM unnest(${fires}::timestamptz[]) AS o(at)
        WHERE o.at > schedules.fired_until AND o.at IS DISTINCT FROM ${fire}::timestamptz
          AND NOT EXISTS (SELECT 1 FROM schedule_fires h WHERE h.schedule_id = schedules.id AND h.fire_at = o.at)),
       'infinity'::timestamptz)))`;
}

/** Every statement on `schedules`. Changes commit with their audit entry. */
@Injectable()
export class ScheduleRepository {
  private readonly records: OwnedRecords<Schedule>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {
    this.records = new OwnedRecords(dataSource, audit, ScheduleEntity);
  }

  private get repo() {
    return this.dataSource.getRepository(ScheduleEntity);
  }

  /**
   * Inserts the schedule with its audit entry; `check` runs first in the same transaction and may refuse it.
   * With `perUser` (0: no limit), a creator who has that many schedules already is refused (409).
   */
  create(
    fields: NewSchedule,
    eventOf: (schedule: Schedule) => AuditEvent,
    context?: AuditRequestContext,
    check?: ChangeCheck,
    perUser = 0,
  ): Promise<Schedule> {
    return this.records.create(fields, eventOf, context, check, {
      max: perUser,
      setting: 'SCHEDULES_PER_USER',
      noun: 'schedules',
    });
  }

  /** The schedule; with `createdBy`, only that user's. */
  findById(id: string, createdBy?: string): Promise<Schedule | undefined> {
    return this.records.findById(id, createdBy);
  }

  /** Newest first; with `createdBy`, only that user's. */
  list(
    createdBy: string | undefined,
    skip: number,
    limit: number,
    filter: ScheduleFilter = {},
  ): Promise<{ items: Schedule[]; total: number }> {
    const where: FindOptionsWhere<ScheduleEntity> = {};
    if (filter.paused !== undefined) where.paused = filter.paused;
    if (filter.tag !== undefined) where.tags = ArrayContains([filter.tag]);
    if (filter.target === 'agent') where.agentId = Not(IsNull());
    if (filter.target === 'workflow') where.workflowId = Not(IsNull());
    if (filter.agentId !== undefined) where.agentId = filter.agentId;
    if (filter.workflowId !== undefined) where.workflowId = filter.workflowId;
    return this.records.list(createdBy, skip, limit, where);
  }

  /** A schedule's handled fires, latest first. */
  async fires(scheduleId: string, skip: number, limit: number): Promise<{ items: ScheduleFire[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(ScheduleFireEntity).findAndCount({
      where: { scheduleId },
      order: { fireAt: 'DESC' },
      skip,
      take: limit,
    });
    return { items, total };
  }

  /** Every schedule that may fire (not paused), oldest first. */
  active(): Promise<Schedule[]> {
    return this.repo.find({ where: { paused: false }, order: { createdAt: 'ASC' } });
  }

  /**
   * Changes a schedule under its row lock: `change` gets the schedule as it is and returns the audit entry
   * of what it changed on it, reading what it needs in the transaction it is given (`em`). Undefined when there
   * is no such schedule (of `createdBy`'s, when given). `check` runs first in the same transaction.
   */
  update(
    id: string,
    createdBy: string | undefined,
    change: (schedule: Schedule, em: EntityManager) => AuditEvent | Promise<AuditEvent>,
    context?: AuditRequestContext,
    check?: ChangeCheck,
  ): Promise<Schedule | undefined> {
    return this.records.update(id, createdBy, change, context, check);
  }

  /**
   * Pauses, in `em`'s transaction, the schedules `keyId` created or last changed that are not paused yet,
   * with `reason` and an audit entry each. Returns them.
   */
  pauseChangedWithKey(
    em: EntityManager,
    keyId: string,
    reason: string,
    eventOf: (schedule: OwnedRecord) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<OwnedRecord[]> {
    return this.records.stopChangedWithKey(
      em,
      keyId,
      RUNNING,
      { paused: true, pausedReason: reason },
      eventOf,
      context,
    );
  }

  /** How many schedules {@link pauseChangedWithKey} would pause now. */
  countRunningChangedWithKey(keyId: string): Promise<number> {
    return this.records.countChangedWithKey(keyId, RUNNING);
  }

  /** Deletes a schedule with its audit entry; false when there is none. */
  async delete(
    id: string,
    createdBy: string | undefined,
    event: AuditEvent,
    context?: AuditRequestContext,
  ): Promise<boolean> {
    return (await this.records.delete(id, createdBy, event, context)) !== undefined;
  }

  /**
   * Records a handled fire: when it is the latest so far, what it made (`targetId`, null for a fire skipped
   * because the last one had not finished); with `record`, the fire's line in the history (its first handling's:
   * a fire handled again keeps it). `fires` are the schedule's fires in order, from the time it was handled until
   * (as the caller read it) to this one or past it: that time moves on past those handled ({@link handledUntil}),
   * this one among them. A fire handled twice, or after a later one, changes nothing it should not. Whether this
   * handling wrote the fire's line: false when an earlier one did (the fire was handled before).
   */
  async recordFire(
    id: string,
    fireAt: Date,
    targetId: string | null,
    fires: Date[],
    record?: FireRecord,
  ): Promise<boolean> {
    const [rows] = (await this.dataSource.query(
      `WITH fire AS (
         INSERT INTO schedule_fires (schedule_id, fire_at, outcome, target_id, error)
         SELECT id, $2, $5, $6, $7 FROM schedules WHERE id = $1 AND $5::varchar IS NOT NULL
         ON CONFLICT DO NOTHING
         RETURNING 1
       )
       UPDATE schedules
          SET fired_until = ${handledUntil('$4', '$2')},
              last_fire_at = CASE WHEN last_fire_at IS NULL OR last_fire_at <= $2 THEN $2 ELSE last_fire_at END,
              last_target_id = CASE WHEN (last_fire_at IS NULL OR last_fire_at <= $2) AND $3::uuid IS NOT NULL
                                    THEN $3::uuid ELSE last_target_id END
        WHERE id = $1
        RETURNING EXISTS (SELECT 1 FROM fire) AS recorded`,
      [id, fireAt, targetId, fires, record?.outcome ?? null, record?.targetId ?? null, record?.error ?? null],
    )) as [{ recorded: boolean }[], number];
    return rows[0]?.recorded ?? false;
  }

  /** The times of a schedule's fires after `after`, up to `until`, that have their line in the history. */
  async firesRecorded(id: string, after: Date, until: Date): Promise<Date[]> {
    const rows = (await this.dataSource.query(
      `SELECT fire_at FROM schedule_fires WHERE schedule_id = $1 AND fire_at > $2 AND fire_at <= $3`,
      [id, after, until],
    )) as { fire_at: Date }[];
    return rows.map((row) => row.fire_at);
  }

  /**
   * Moves the time a schedule is handled until past `fires` (its fires in order, from that time on) that are
   * handled already: made, skipped or failed, their line in the history ({@link handledUntil}).
   */
  async passHandled(id: string, fires: Date[]): Promise<void> {
    await this.dataSource.query(`UPDATE schedules SET fired_until = ${handledUntil('$2', 'NULL')} WHERE id = $1`, [
      id,
      fires,
    ]);
  }

  /** Fires up to `until` are passed over (too many missed, or while paused), with the entry that says so. */
  async passOver(id: string, until: Date, event?: AuditEvent): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query(`UPDATE schedules SET fired_until = GREATEST(fired_until, $2) WHERE id = $1`, [id, until]);
      if (event) await this.audit.record(event, em);
    });
  }
}
