import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { PageQueryDto } from '../common/http/page-query.dto';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookDeliveryDto,
  WebhookDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @RequirePermissions('webhooks:write')
  @AuditAction('webhook.create', 'webhook')
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Send signed events (Standard Webhooks) to a URL; the signing secret is shown this once',
    description: 'One endpoint more than WEBHOOKS_PER_USER (100 by default) allows a user → 409 CONFLICT.',
  })
  @ApiEnvelope(CreatedWebhookDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<CreatedWebhookDto> {
    const { endpoint, secret } = await this.webhooks.create(principal, body, audit);
    return { ...WebhookDto.from(endpoint), secret };
  }

  @Get()
  @RequirePermissions('webhooks:read')
  @ApiOperation({ operationId: 'listWebhooks', summary: 'Your webhook endpoints, newest first (admins: everyone’s)' })
  @ApiEnvelope(WebhookDto, { list: true })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<WebhookDto>> {
    const page = await this.webhooks.list(principal, query.skip, query.limit);
    return new Page(page.items.map(WebhookDto.from), page.total, page.skip, page.limit);
  }

  @Get(':id')
  @RequirePermissions('webhooks:read')
  @ApiOperation({ operationId: 'getWebhook', summary: 'A webhook endpoint (never its secret)' })
  @ApiEnvelope(WebhookDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.get(principal, id));
  }

  @Patch(':id')
  @RequirePermissions('webhooks:write')
  @AuditAction('webhook.update', 'webhook')
  @ApiOperation({
    operationId: 'updateWebhook',
    summary: 'Change the URL, the events, or enable/disable; enabling clears the failure record',
  })
  @ApiEnvelope(WebhookDto)
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED)
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: UpdateWebhookDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.update(principal, id, body, audit));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('webhooks:write')
  @AuditAction('webhook.delete', 'webhook')
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint and its delivery log' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    await this.webhooks.delete(principal, id, audit);
  }

  @Get(':id/deliveries')
  @RequirePermissions('webhooks:read')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: "An endpoint's delivery log, newest first: status, response code, duration and every attempt",
  })
  @ApiEnvelope(WebhookDeliveryDto, { list: true })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async deliveries(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<WebhookDeliveryDto>> {
    const page = await this.webhooks.deliveries(principal, id, query.skip, query.limit);
    return new Page(page.items.map(WebhookDeliveryDto.from), page.total, page.skip, page.limit);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @RequirePermissions('webhooks:write')
  @AuditAction('webhook.redeliver', 'webhook')
  @ApiOperation({
    operationId: 'redeliverWebhook',
    summary: 'Send a message again (same webhook-id and body) as a new delivery',
  })
  @ApiEnvelope(WebhookDeliveryDto, { status: 202 })
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE)
  async redeliver(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @IdParam('deliveryId') deliveryId: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WebhookDeliveryDto> {
    return WebhookDeliveryDto.from(await this.webhooks.redeliver(principal, id, deliveryId, audit));
  }
}
