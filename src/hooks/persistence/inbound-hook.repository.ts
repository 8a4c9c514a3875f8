import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { OwnedRecords } from '../../audit/owned-records';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { InboundHookEntity } from '../entities/inbound-hook.entity';

export type InboundHook = InboundHookEntity;
export type NewHook = Pick<
  InboundHook,
  | 'name'
  | 'agentId'
  | 'workflowId'
  | 'auth'
  | 'secretSealed'
  | 'tokenHash'
  | 'inputTemplate'
  | 'rateLimitPerMinute'
  | 'enabled'
  | 'createdBy'
>;

/** Every statement on `inbound_hooks`. Changes commit with their audit entry. */
@Injectable()
export class InboundHookRepository {
  private readonly records: OwnedRecords<InboundHook>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'perUser'>,
  ) {
    this.records = new OwnedRecords(dataSource, audit, InboundHookEntity);
  }

  /** Inserts the hook with its audit entry; one more than HOOKS_PER_USER allows its creator is refused (409). */
  create(fields: NewHook, eventOf: (hook: InboundHook) => AuditEvent, context?: AuditRequestContext) {
    return this.records.create(fields, eventOf, context, undefined, this.config.perUser.hooks);
  }

  /** The hook; with `createdBy`, only that user's. */
  findById(id: string, createdBy?: string): Promise<InboundHook | undefined> {
    return this.records.findById(id, createdBy);
  }

  /** Newest first; with `createdBy`, only that user's. */
  list(createdBy: string | undefined, skip: number, limit: number) {
    return this.records.list(createdBy, skip, limit);
  }

  /** Changes a hook under its row lock; `change` returns the audit entry. Undefined when there is none. */
  update(
    id: string,
    createdBy: string | undefined,
    change: (hook: InboundHook) => AuditEvent | Promise<AuditEvent>,
    context?: AuditRequestContext,
  ): Promise<InboundHook | undefined> {
    return this.records.update(id, createdBy, change, context);
  }

  /** Deletes a hook with its audit entry; false when there is none. */
  async delete(id: string, createdBy: string | undefined, event: AuditEvent, context?: AuditRequestContext) {
    return (await this.records.delete(id, createdBy, event, context)) !== undefined;
  }
}
