import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsUrl,
  MaxLength,
  type ValidationArguments,
} from 'class-validator';
import { IsOptionalNotNull } from '../../common/http/dto-decorators';
import type { WebhookDelivery, WebhookEndpoint } from '../persistence/webhook.repository';
import {
  type DeliveryAttempt,
  DELIVERY_STATUSES,
  type DeliveryStatus,
  WEBHOOK_EVENTS,
  type WebhookEvent,
} from '../webhook-events';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
/** Characters a URL carries only percent-encoded, which the URL check refuses as they are: white space, `<`, `>`. */
const TO_ENCODE = /[\s<>]/u;

/** Why a URL is refused: a character it must carry percent-encoded is named, with its encoding. */
function urlMessage({ value }: ValidationArguments): string {
  const char = typeof value === 'string' && /^https?:\/\//i.test(value) ? TO_ENCODE.exec(value)?.[0] : undefined;
  if (char === undefined) return 'must be an http or https URL, such as https://example.com/hooks/ymera';
  return `must be a URL with ${JSON.stringify(char)} percent-encoded (${encodeURIComponent(char)})`;
}

export class CreateWebhookDto {
  @ApiProperty({
    maxLength: 2048,
    example: 'https://example.com/hooks/ymera',
    description: 'http(s); must not resolve to a private, loopback or link-local address',
  })
  @IsUrl(URL_OPTIONS, { message: urlMessage })
  @MaxLength(2048)
  url!: string;

  @ApiProperty({
    maxItems: 7,
    enum: WEBHOOK_EVENTS,
    isArray: true,
    description: 'The events delivered to this endpoint',
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events!: WebhookEvent[];

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptionalNotNull()
  @IsUrl(URL_OPTIONS, { message: urlMessage })
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ maxItems: 7, enum: WEBHOOK_EVENTS, isArray: true })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events?: WebhookEvent[];

  @ApiPropertyOptional({ description: 'true enables a disabled endpoint again and clears its failure record' })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events!: WebhookEvent[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Why the platform disabled the endpoint' })
  disabledReason!: string | null;
  @ApiProperty({ description: 'Deliveries failed in a row (each after all its attempts)' })
  consecutiveFailures!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'First failure since a success' })
  failingSince!: Date | null;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'The API key that created or last changed the endpoint (revoking that key disables it); null when a signed-in user did',
  })
  changedWithApiKeyId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt!: Date;

  static from(e: WebhookEndpoint): WebhookDto {
    const { id, url, events, enabled, disabledReason, consecutiveFailures, failingSince } = e;
    return {
      id,
      url,
      events,
      enabled,
      disabledReason,
      consecutiveFailures,
      failingSince,
      createdBy: e.createdBy,
      changedWithApiKeyId: e.changedWithKeyId,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    };
  }
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks `whsec_<base64>`); shown this once',
  })
  secret!: string;
}

export class DeliveryAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'null when no answer came' }) responseCode!: number | null;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ description: 'The `webhook-id` header; a redelivery keeps it' }) messageId!: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) eventType!: WebhookEvent;
  @ApiProperty({ format: 'uuid', description: "The task's or the run's id" }) resourceId!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: Number, description: "The last attempt's status code" })
  responseCode!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: "The last attempt's duration" })
  durationMs!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the last attempt failed' }) error!: string | null;
  @ApiProperty({ type: DeliveryAttemptDto, isArray: true }) attemptLog!: DeliveryAttempt[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When a pending delivery is due' })
  nextAttemptAt!: Date | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt!: Date;

  static from(d: WebhookDelivery): WebhookDeliveryDto {
    return {
      id: d.id,
      endpointId: d.endpointId,
      messageId: d.messageId,
      eventType: d.eventType,
      resourceId: d.resourceId,
      status: d.status,
      attempts: d.attempts,
      responseCode: d.responseCode,
      durationMs: d.durationMs,
      error: d.error,
      attemptLog: d.attemptLog,
      nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }
}
