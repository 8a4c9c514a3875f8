import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type DeepPartial, type EntityManager, In, IsNull, type Repository } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import type { ChangeCheck } from '../../audit/owned-records';
import { refuseBeyondLimit } from '../../common/per-user-limit';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { WorkflowEntity } from '../entities/workflow.entity';
import { WorkflowNotFoundError } from '../workflows.errors';

/** The statements of a workflow's definition (its row in `workflows`) that change it, each with its audit entry. */
@Injectable()
export class WorkflowRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'perUser'>,
  ) {}

  /** The workflows in `em`'s transaction when given one, else on the pool. */
  private workflowsIn(em?: EntityManager): Repository<WorkflowEntity> {
    return (em ?? this.dataSource.manager).getRepository(WorkflowEntity);
  }

  /** Which of `ids` are live workflows, in one statement. */
  async liveIds(ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const live = await this.workflowsIn().find({ select: { id: true }, where: { id: In(ids), deletedAt: IsNull() } });
    return new Set(live.map((workflow) => workflow.id));
  }

  /** The live workflow; undefined when there is none (never made, or deleted). In `em`'s transaction, if given. */
  async findLive(id: string, em?: EntityManager): Promise<WorkflowEntity | undefined> {
    return (await this.workflowsIn(em).findOneBy({ id, deletedAt: IsNull() })) ?? undefined;
  }

  /**
   * Stores a new workflow with its audit entry; `check` runs first in the same transaction and may refuse it,
   * as does one workflow more than WORKFLOWS_PER_USER allows its creator.
   */
  create(
    fields: DeepPartial<WorkflowEntity> & { createdBy: string },
    eventOf: (workflow: WorkflowEntity) => AuditEvent,
    context?: AuditRequestContext,
    check?: ChangeCheck,
  ): Promise<WorkflowEntity> {
    return this.dataSource.transaction(async (em) => {
      await check?.(em);
      await refuseBeyondLimit(em, WorkflowEntity, fields.createdBy, this.config.perUser.workflows);
      const workflow = await em.save(em.create(WorkflowEntity, fields));
      await this.audit.record(eventOf(workflow), em, context);
      return workflow;
    });
  }

  /**
   * Changes the live workflow under its row lock: `change` gets it as it is now, changes it (or refuses by
   * throwing: nothing is written) and returns the audit entry; the workflow is then saved with it. 404 when
   * there is none. `check` runs first in the same transaction.
   */
  change(
    id: string,
    change: (workflow: WorkflowEntity) => AuditEvent,
    context?: AuditRequestContext,
    check?: ChangeCheck,
  ): Promise<WorkflowEntity> {
    return this.dataSource.transaction(async (em) => {
      await check?.(em);
      const workflow = await em.findOne(WorkflowEntity, {
        where: { id, deletedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!workflow) throw new WorkflowNotFoundError();
      const event = change(workflow);
      const saved = await em.save(workflow);
      await this.audit.record(event, em, context);
      return saved;
    });
  }

  /**
   * In a run's transaction: holds the live workflow's row (FOR KEY SHARE) until the run commits, so that a
   * deletion at the same moment (which locks the row for update) waits for the run, or the run sees it gone (404).
   */
  async holdLive(em: EntityManager, id: string): Promise<void> {
    const rows = (await em.query(`SELECT 1 FROM workflows WHERE id = $1 AND deleted_at IS NULL FOR KEY SHARE`, [
      id,
    ])) as unknown[];
    if (!rows.length) throw new WorkflowNotFoundError();
  }
}
