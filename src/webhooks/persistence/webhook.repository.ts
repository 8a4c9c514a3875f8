import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditRequestContext } from '../../audit/audit-context';
import { type SharedCache, SharedCaches } from '../../redis/shared-cache';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { type AuditEvent, AuditService } from '../../audit/audit.service';
import { type ChangeCheck, type OwnedRecord, OwnedRecords } from '../../audit/owned-records';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import type { DeliveryAttempt, WebhookEvent } from '../webhook-events';
import type { NextStep } from '../webhook-rules';

export type WebhookEndpoint = WebhookEndpointEntity;
export type WebhookDelivery = WebhookDeliveryEntity;
export type NewEndpoint = Pick<
  WebhookEndpoint,
  'url' | 'events' | 'enabled' | 'secretSealed' | 'createdBy' | 'changedWithKeyId'
>;
export type NewDelivery = Pick<
  WebhookDelivery,
  'endpointId' | 'messageId' | 'eventType' | 'resourceId' | 'occurredAt' | 'payload'
>;

/** An endpoint that receives: what a key's revocation disables. */
const ENABLED = { enabled: true };
/** What an attempt's outcome did to its endpoint. */
export interface AttemptRecorded {
  /** Set when this attempt made the endpoint be disabled. */
  disabled?: string;
}

/** Every statement on `webhook_endpoints` and `webhook_deliveries`. Changes commit with their audit entry. */
/** How long a process may use a creator's endpoints without reading them again (changes drop them at once). */
const ENDPOINTS_TTL_MS = 5000;

@Injectable()
export class WebhookRepository {
  /**
   * Each creator's enabled endpoints, read once and kept: every finished task asks who subscribes, and almost
   * always nobody does. Every change of an endpoint drops its creator's entry in every process.
   */
  private readonly enabled: SharedCache<{ endpoints: WebhookEndpoint[] }>;
  private readonly records: OwnedRecords<WebhookEndpoint>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    caches: SharedCaches,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'perUser'>,
  ) {
    this.records = new OwnedRecords(dataSource, audit, WebhookEndpointEntity);
    this.enabled = caches.create(
      'webhook-endpoints',
      async (createdBy) => ({ endpoints: await this.endpoints.findBy({ createdBy, enabled: true }) }),
      { ttlMs: ENDPOINTS_TTL_MS, max: 10_000 },
    );
  }

  /** Runs a change of one of `createdBy`'s endpoints, then drops their cached endpoints everywhere. */
  private async changing<T>(change: () => Promise<T>, ownerOf: (result: T) => string | undefined): Promise<T> {
    const result = await change();
    const owner = ownerOf(result);
    if (owner) await this.enabled.invalidate(owner);
    return result;
  }

  private get endpoints() {
    return this.dataSource.getRepository(WebhookEndpointEntity);
  }

  private get deliveries() {
    return this.dataSource.getRepository(WebhookDeliveryEntity);
  }

  /**
   * Inserts the endpoint with its audit entry; `check` runs first in the same transaction and may refuse it,
   * as does one endpoint more than WEBHOOKS_PER_USER allows its creator.
   */
  create(
    fields: NewEndpoint,
    eventOf: (endpoint: WebhookEndpoint) => AuditEvent,
    context?: AuditRequestContext,
    check?: ChangeCheck,
  ): Promise<WebhookEndpoint> {
    return this.changing(
      () => this.records.create(fields, eventOf, context, check, this.config.perUser.webhooks),
      (endpoint) => endpoint.createdBy,
    );
  }

  /** The endpoint; with `createdBy`, only that user's. */
  findById(id: string, createdBy?: string): Promise<WebhookEndpoint | undefined> {
    return this.records.findById(id, createdBy);
  }

  /** Newest first; with `createdBy`, only that user's. */
  list(
    createdBy: string | undefined,
    skip: number,
    limit: number,
  ): Promise<{ items: WebhookEndpoint[]; total: number }> {
    return this.records.list(createdBy, skip, limit);
  }

  /**
   * Changes an endpoint under its row lock; `change` returns the audit entry. Undefined when there is none.
   * `check` runs first in the same transaction.
   */
  update(
    id: string,
    createdBy: string | undefined,
    change: (endpoint: WebhookEndpoint) => AuditEvent | Promise<AuditEvent>,
    context?: AuditRequestContext,
    check?: ChangeCheck,
  ): Promise<WebhookEndpoint | undefined> {
    return this.changing(
      () => this.records.update(id, createdBy, change, context, check),
      (saved) => saved?.createdBy,
    );
  }

  /**
   * Disables, in `em`'s transaction, the enabled endpoints `keyId` created or last changed, with `reason` and
   * an audit entry each. Returns them, and what to run once the transaction has committed: every process
   * then drops their creators' cached endpoints.
   */
  async disableChangedWithKey(
    em: EntityManager,
    keyId: string,
    reason: string,
    eventOf: (endpoint: OwnedRecord) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<{ disabled: OwnedRecord[]; afterCommit: () => Promise<void> }> {
    const disabled = await this.records.stopChangedWithKey(
      em,
      keyId,
      ENABLED,
      { enabled: false, disabledReason: reason },
      eventOf,
      context,
    );
    const owners = [...new Set(disabled.map((endpoint) => endpoint.createdBy))];
    return {
      disabled,
      afterCommit: async () => {
        for (const owner of owners) await this.enabled.invalidate(owner);
      },
    };
  }
  /** How many endpoints {@link disableChangedWithKey} would disable now. */
  countEnabledChangedWithKey(keyId: string): Promise<number> {
    return this.records.countChangedWithKey(keyId, ENABLED);
  }

  /** Deletes an endpoint and its delivery log with the audit entry; false when there is none. */
  async delete(
    id: string,
    createdBy: string | undefined,
    event: AuditEvent,
    context?: AuditRequestContext,
  ): Promise<boolean> {
    const deleted = await this.changing(
      () => this.records.delete(id, createdBy, event, context),
      (endpoint) => endpoint?.createdBy,
    );
    return deleted !== undefined;
  }

  /** The enabled endpoints of `createdBy` subscribed to `event`. */
  async subscribers(createdBy: string, event: WebhookEvent): Promise<WebhookEndpoint[]> {
    const enabled = await this.enabled.get(createdBy);
    return enabled?.endpoints.filter((e) => e.events.includes(event)) ?? [];
  }

  /**
   * Stores new deliveries, pending and due now, and returns the ids of those stored: one an endpoint already
   * has for the same event and occurrence is not stored again.
   */
  async insertDeliveries(rows: NewDelivery[]): Promise<string[]> {
    if (!rows.length) return [];
    const now = new Date();
    const result = await this.deliveries
      .createQueryBuilder()
      .insert()
      .values(rows.map((row) => ({ ...row, status: 'pending' as const, attempts: 0, nextAttemptAt: now })))
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as { id: string }[]).map((r) => r.id);
  }

  /** The users with an enabled endpoint: whose finishes may have deliveries to make. */
  async subscribedCreators(): Promise<string[]> {
    const rows = await this.endpoints
      .createQueryBuilder('e')
      .select('DISTINCT e.created_by', 'createdBy')
      .where('e.enabled')
      .getRawMany<{ createdBy: string }>();
    return rows.map((r) => r.createdBy);
  }

  /** A delivery with its endpoint, for an attempt. */
  async deliveryWithEndpoint(
    id: string,
  ): Promise<{ delivery: WebhookDelivery; endpoint: WebhookEndpoint } | undefined> {
    const delivery = await this.deliveries.findOne({ where: { id }, relations: { endpoint: true } });
    if (!delivery?.endpoint) return undefined;
    const { endpoint, ...rest } = delivery;
    return { delivery: rest as WebhookDelivery, endpoint };
  }

  /** An endpoint's deliveries, newest first. */
  async listDeliveries(
    endpointId: string,
    skip: number,
    limit: number,
  ): Promise<{ items: WebhookDelivery[]; total: number }> {
    const [items, total] = await this.deliveries.findAndCount({
      where: { endpointId },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip,
      take: limit,
    });
    return { items, total };
  }

  /**
   * A new delivery of a delivered (or failed) message, same id and body, with its audit entry; `mayRedeliver`
   * throws to refuse it, once the delivery is known to exist (an unknown one is `undefined`, a 404, first).
   */
  async redeliver(
    endpointId: string,
    deliveryId: string,
    mayRedeliver: () => void,
    eventOf: (copy: WebhookDelivery) => AuditEvent,
    context?: AuditRequestContext,
  ): Promise<WebhookDelivery | undefined> {
    return this.dataSource.transaction(async (em) => {
      const original = await em.findOneBy(WebhookDeliveryEntity, { id: deliveryId, endpointId });
      if (!original) return undefined;
      mayRedeliver();
      const { endpointId: endpoint, messageId, eventType, resourceId, payload } = original;
      const copy = await em.save(
        em.create(WebhookDeliveryEntity, {
          endpointId: endpoint,
          messageId,
          eventType,
          resourceId,
          payload,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: new Date(),
        }),
      );
      await this.audit.record(eventOf(copy), em, context);
      return copy;
    });
  }

  /**
   * Records one attempt on the delivery and its endpoint's failure record, under the endpoint's row lock: a
   * success clears the record; a failure starts it, and a delivery failed for good counts one more in a row.
   * `disable` reads the record after the change and says whether (why) the endpoint is to be disabled, which
   * happens here, with `disabledEvent`'s audit entry.
   */
  async recordAttempt(
    deliveryId: string,
    entry: DeliveryAttempt,
    next: NextStep,
    disable: (endpoint: WebhookEndpoint) => string | undefined,
    disabledEvent: (endpoint: WebhookEndpoint, reason: string) => AuditEvent,
  ): Promise<AttemptRecorded & { owner?: string }> {
    return this.changing(
      () => this.recordAttemptIn(deliveryId, entry, next, disable, disabledEvent),
      (recorded) => (recorded.disabled ? recorded.owner : undefined),
    );
  }

  private recordAttemptIn(
    deliveryId: string,
    entry: DeliveryAttempt,
    next: NextStep,
    disable: (endpoint: WebhookEndpoint) => string | undefined,
    disabledEvent: (endpoint: WebhookEndpoint, reason: string) => AuditEvent,
  ): Promise<AttemptRecorded & { owner?: string }> {
    return this.dataSource.transaction(async (em) => {
      const delivery = await em.findOne(WebhookDeliveryEntity, {
        where: { id: deliveryId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!delivery) return {};
      const endpoint = await this.records.lock(em, delivery.endpointId, undefined);
      if (!endpoint) return {};
      const at = new Date(entry.at);
      await em.update(WebhookDeliveryEntity, deliveryId, {
        status: next.status,
        attempts: entry.attempt,
        responseCode: entry.responseCode,
        durationMs: entry.durationMs,
        error: entry.error?.slice(0, 500) ?? null,
        attemptLog: [...delivery.attemptLog, entry],
        nextAttemptAt: next.status === 'pending' ? new Date(at.getTime() + next.delayMs) : at,
      });
      if (next.status === 'succeeded') {
        Object.assign(endpoint, { consecutiveFailures: 0, failingSince: null });
      } else {
        endpoint.failingSince ??= at;
        if (next.status === 'failed') endpoint.consecutiveFailures += 1;
      }
      const reason = endpoint.enabled && next.status !== 'succeeded' ? disable(endpoint) : undefined;
      if (reason) Object.assign(endpoint, { enabled: false, disabledReason: reason.slice(0, 200) });
      await em.save(endpoint);
      if (reason) await this.audit.record(disabledEvent(endpoint, reason), em);
      return reason ? { disabled: reason, owner: endpoint.createdBy } : {};
    });
  }

  /** A pending delivery given up without an attempt (its endpoint was disabled meanwhile). */
  async abandon(deliveryId: string, error: string): Promise<void> {
    await this.deliveries.update({ id: deliveryId, status: 'pending' }, { status: 'failed', error });
  }

  /** Pending deliveries due before `before`, oldest first: the ones whose queue job may be lost. */
  async overdue(before: Date, limit: number): Promise<Pick<WebhookDelivery, 'id' | 'nextAttemptAt'>[]> {
    return this.deliveries
      .createQueryBuilder('d')
      .select(['d.id', 'd.nextAttemptAt'])
      .where(`d.status = 'pending' AND d.next_attempt_at < :before`, { before })
      .orderBy('d.next_attempt_at', 'ASC')
      .limit(limit)
      .getMany();
  }
}
