import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AgentExecutionError } from '../agents/agent-type';
import { OutboundHttpClient, retryAfterMs } from '../agents/outbound';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Metrics } from '../metrics/metrics.service';
import { WebhookRepository } from './persistence/webhook.repository';
import type { DeliveryAttempt } from './webhook-events';
import { disableReason, type NextStep, nextStep, resultOfStatus, type AttemptResult } from './webhook-rules';
import { signatureHeaders } from './webhook-signature';

const USER_AGENT = 'ymera-webhooks/1';

/**
 * One attempt of one delivery: signed as Standard Webhooks says, sent through the agents' outbound HTTP
 * (the private-network guard, bounded time and size, no redirects followed), and recorded on the delivery's
 * log and its endpoint's failure record, which may disable the endpoint.
 */
@Injectable()
export class WebhookSender {
  private readonly logger = new Logger(WebhookSender.name);
  private readonly never = new AbortController().signal;

  constructor(
    private readonly store: WebhookRepository,
    private readonly http: OutboundHttpClient,
    private readonly cipher: SecretsCipher,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Attempts the delivery if it is pending; undefined when there was nothing to attempt. */
  async attempt(deliveryId: string): Promise<NextStep | undefined> {
    const found = await this.store.deliveryWithEndpoint(deliveryId);
    if (!found || found.delivery.status !== 'pending') return undefined;
    const { delivery, endpoint } = found;
    if (!endpoint.enabled) {
      await this.store.abandon(delivery.id, 'The endpoint is disabled');
      return undefined;
    }
    const attempt = delivery.attempts + 1;
    const at = new Date();
    const headers = {
      ...signatureHeaders(this.cipher.decrypt(endpoint.secretSealed), delivery.messageId, delivery.payload, at),
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
    };
    const started = performance.now();
    let result: AttemptResult;
    let responseCode: number | null = null;
    let error: string | null = null;
    let retryAfter: number | undefined;
    try {
      const response = await this.http.status({
        url: endpoint.url,
        method: 'POST',
        headers,
        body: delivery.payload,
        timeoutMs: this.config.webhooks.timeoutMs,
        signal: this.never,
        maxRedirects: 0,
      });
      responseCode = response.status;
      result = resultOfStatus(response.status);
      if (!result.ok) error = `The endpoint answered ${response.status}`;
      retryAfter = retryAfterMs(response.headers['retry-after']);
    } catch (err) {
      if (!(err instanceof AgentExecutionError)) throw err;
      result = { ok: false, retryable: err.retryable };
      error = `${err.code}: ${err.message}`;
    }
    const durationMs = Math.round(performance.now() - started);
    const next = nextStep(result, attempt, this.config.webhooks, retryAfter);
    const entry: DeliveryAttempt = { attempt, at: at.toISOString(), responseCode, durationMs, error };
    const recorded = await this.store.recordAttempt(
      delivery.id,
      entry,
      next,
      (record) => disableReason(record, new Date(), this.config.webhooks),
      (disabled, reason) => ({
        action: 'webhook.disabled',
        outcome: 'failure',
        resourceType: 'webhook',
        resourceId: disabled.id,
        details: {
          reason,
          url: disabled.url,
          consecutiveFailures: disabled.consecutiveFailures,
          failingSince: disabled.failingSince?.toISOString() ?? null,
        },
      }),
    );
    this.metrics.webhookAttempt(next.status === 'pending' ? 'retry' : next.status, durationMs / 1000);
    if (recorded.disabled) {
      this.metrics.webhookEndpointDisabled();
      this.logger.warn(`webhook ${endpoint.id} disabled: ${recorded.disabled}`);
    }
    return next;
  }
}
