import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { hasUserInfo, NetworkGuard } from '../agents/outbound';
import type { AuditRequestContext } from '../audit/audit-context';
import { sentFields } from '../audit/sent-fields';
import { assertHolds, isAdmin, type Principal } from '../auth/principal';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import { InvalidStateError, NotFoundError, ValidationFailedError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import type { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook.dto';
import { type WebhookDelivery, type WebhookEndpoint, WebhookRepository } from './persistence/webhook.repository';
import { WebhookQueue } from './webhook-queue';
import { newSigningSecret } from './webhook-signature';

/** Why an endpoint set running with an API key stopped when the key was revoked. */
export const DISABLED_WITH_KEY = 'The API key that created or last changed it was revoked';

/**
 * Webhook endpoints as their users keep them: a URL the private-network guard lets through, the events it
 * takes, and a signing secret shown once. Users see and change their own endpoints; admins every endpoint.
 */
@Injectable()
export class WebhooksService implements OnModuleInit {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly store: WebhookRepository,
    private readonly queue: WebhookQueue,
    private readonly guard: NetworkGuard,
    private readonly cipher: SecretsCipher,
    private readonly keys: ApiKeysService,
  ) {}

  /** A revoked key's endpoints are disabled with it (see ApiKeysService.revoke). */
  onModuleInit(): void {
    this.keys.whenRevoked({
      kind: 'disabledWebhooks',
      count: (keyId) => this.store.countEnabledChangedWithKey(keyId),
      stop: async (em, keyId, audit) => {
        const { disabled, afterCommit } = await this.store.disableChangedWithKey(
          em,
          keyId,
          DISABLED_WITH_KEY,
          (endpoint) => ({
            action: 'webhook.update',
            outcome: 'success',
            resourceType: 'webhook',
            resourceId: endpoint.id,
            details: { fields: ['enabled'], enabled: false, reason: 'apikey.revoke', revokedKeyId: keyId },
          }),
          audit,
        );
        return { count: disabled.length, afterCommit };
      },
    });
  }

  async create(
    principal: Principal,
    dto: CreateWebhookDto,
    audit?: AuditRequestContext,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    mayReceive(principal, dto.events);
    await this.checkUrl(dto.url);
    const secret = newSigningSecret();
    const by = this.keys.changeBy(principal);
    const endpoint = await this.store.create(
      {
        url: dto.url,
        events: dto.events,
        enabled: dto.enabled ?? true,
        secretSealed: this.cipher.encrypt(secret),
        createdBy: principal.userId,
        changedWithKeyId: by.changedWithKeyId,
      },
      (created) => ({
        action: 'webhook.create',
        outcome: 'success',
        resourceType: 'webhook',
        resourceId: created.id,
        details: { url: created.url, events: created.events },
      }),
      audit,
      by.check,
    );
    return { endpoint, secret };
  }

  async get(principal: Principal, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.store.findById(id, isAdmin(principal) ? undefined : principal.userId);
    if (!endpoint) throw new NotFoundError('Webhook');
    return endpoint;
  }

  async list(principal: Principal, skip: number, limit: number): Promise<Page<WebhookEndpoint>> {
    const { items, total } = await this.store.list(isAdmin(principal) ? undefined : principal.userId, skip, limit);
    return new Page(items, total, skip, limit);
  }

  /** Enabling an endpoint again clears its failure record: it gets a fresh count of failures. */
  async update(
    principal: Principal,
    id: string,
    dto: UpdateWebhookDto,
    audit?: AuditRequestContext,
  ): Promise<WebhookEndpoint> {
    if (dto.url !== undefined) await this.checkUrl(dto.url);
    const by = this.keys.changeBy(principal);
    const updated = await this.store.update(
      id,
      isAdmin(principal) ? undefined : principal.userId,
      (endpoint) => {
        // Where the events go, or which, or that they go again: what they carry must be the caller's to read.
        if (dto.url !== undefined || dto.events !== undefined || (dto.enabled && !endpoint.enabled))
          mayReceive(principal, dto.events ?? endpoint.events);
        if (dto.url !== undefined) endpoint.url = dto.url;
        if (dto.events !== undefined) endpoint.events = dto.events;
        if (dto.enabled !== undefined && dto.enabled !== endpoint.enabled) {
          Object.assign(endpoint, { enabled: dto.enabled, disabledReason: null });
          if (dto.enabled) Object.assign(endpoint, { consecutiveFailures: 0, failingSince: null });
        }
        endpoint.changedWithKeyId = by.changedWithKeyId;
        return {
          action: 'webhook.update',
          outcome: 'success',
          resourceType: 'webhook',
          resourceId: id,
          details: { fields: sentFields(dto), enabled: endpoint.enabled },
        };
      },
      audit,
      by.check,
    );
    if (!updated) throw new NotFoundError('Webhook');
    return updated;
  }

  async delete(principal: Principal, id: string, audit?: AuditRequestContext): Promise<void> {
    const deleted = await this.store.delete(
      id,
      isAdmin(principal) ? undefined : principal.userId,
      { action: 'webhook.delete', outcome: 'success', resourceType: 'webhook', resourceId: id },
      audit,
    );
    if (!deleted) throw new NotFoundError('Webhook');
  }

  async deliveries(principal: Principal, id: string, skip: number, limit: number): Promise<Page<WebhookDelivery>> {
    await this.get(principal, id);
    const { items, total } = await this.store.listDeliveries(id, skip, limit);
    return new Page(items, total, skip, limit);
  }

  /**
   * Sends a delivered (or failed) message again, as a new delivery with the same `webhook-id` and body,
   * to the endpoint as it is now. Queued after it is stored; the reconciler queues it if Redis was down.
   */
  async redeliver(
    principal: Principal,
    id: string,
    deliveryId: string,
    audit?: AuditRequestContext,
  ): Promise<WebhookDelivery> {
    const endpoint = await this.get(principal, id);
    const copy = await this.store.redeliver(
      id,
      deliveryId,
      () => {
        if (!endpoint.enabled) throw new InvalidStateError('The endpoint is disabled: enable it first');
      },
      (made) => ({
        action: 'webhook.redeliver',
        outcome: 'success',
        resourceType: 'webhook',
        resourceId: id,
        details: { deliveryId, redeliveryId: made.id, messageId: made.messageId },
      }),
      audit,
    );
    if (!copy) throw new NotFoundError('Webhook delivery');
    await this.queue
      .add(copy.id)
      .catch((err: Error) => this.logger.warn(`webhook delivery ${copy.id} not yet queued: ${err.message}`));
    return copy;
  }

  /** The URL's host must pass the guard outbound calls go through (refused early, checked again on each send). */
  private async checkUrl(url: string): Promise<void> {
    if (hasUserInfo(url)) {
      throw new ValidationFailedError(
        [
          {
            field: '/url',
            message: "must not carry credentials (user:password@): receivers check the webhook's secret",
          },
        ],
        'The webhook URL is not allowed',
      );
    }
    // As for an agent's target: a name DNS cannot answer for yet is taken, and every send checks it again.
    const refusal = await this.guard.refusalOf(url);
    if (refusal)
      throw new ValidationFailedError([{ field: '/url', message: refusal }], 'The webhook URL is not allowed');
  }
}

/** A webhook sends its events' tasks and runs, input and output: the caller must be one who may read them. */
function mayReceive(principal: Principal, events: readonly string[]): void {
  if (events.some((event) => event.startsWith('task.')))
    assertHolds(principal, 'tasks:read', 'A webhook of task events');
  if (events.some((event) => event.startsWith('run.')))
    assertHolds(principal, 'workflows:read', 'A webhook of workflow run events');
}
