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
import { CreatedHookDto, CreateHookDto, HookDto, UpdateHookDto } from './dto/hook.dto';
import { HooksService } from './hooks.service';

@ApiTags('hooks')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('hooks')
export class HooksController {
  constructor(private readonly hooks: HooksService) {}

  @Post()
  @RequirePermissions('hooks:write')
  @AuditAction('hook.create', 'hook')
  @ApiOperation({
    operationId: 'createHook',
    summary: 'A URL that starts a task or a run when called; its secret (hmac or bearer) is shown this once',
    description:
      'For a signed-in user only: from an API key, 403 FORBIDDEN (its secret would outlive the key). One hook more ' +
      'than HOOKS_PER_USER (100 by default) allows a user → 409 CONFLICT.',
  })
  @ApiEnvelope(CreatedHookDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.FORBIDDEN, ErrorCode.CONFLICT)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateHookDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<CreatedHookDto> {
    const { hook, secret } = await this.hooks.create(principal, body, audit);
    return { ...HookDto.from({ hook, targetDeleted: false }), secret };
  }

  @Get()
  @RequirePermissions('hooks:read')
  @ApiOperation({ operationId: 'listHooks', summary: 'Your inbound hooks, newest first (admins: everyone’s)' })
  @ApiEnvelope(HookDto, { list: true })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<HookDto>> {
    const page = await this.hooks.list(principal, query.skip, query.limit);
    return new Page(page.items.map(HookDto.from), page.total, page.skip, page.limit);
  }

  @Get(':id')
  @RequirePermissions('hooks:read')
  @ApiOperation({ operationId: 'getHook', summary: 'An inbound hook (never its secret)' })
  @ApiEnvelope(HookDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<HookDto> {
    return HookDto.from(await this.hooks.get(principal, id));
  }

  @Patch(':id')
  @RequirePermissions('hooks:write')
  @AuditAction('hook.update', 'hook')
  @ApiOperation({
    operationId: 'updateHook',
    summary: 'Rename, change the input template or the rate limit, enable or disable',
    description:
      'From an API key, only disabling (`{enabled: false}`); any other change → 403 FORBIDDEN (it would outlive the key).',
  })
  @ApiEnvelope(HookDto)
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED)
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: UpdateHookDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<HookDto> {
    return HookDto.from(await this.hooks.update(principal, id, body, audit));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('hooks:write')
  @AuditAction('hook.delete', 'hook')
  @ApiOperation({ operationId: 'deleteHook', summary: 'Delete an inbound hook: its URL answers 401 from then on' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    await this.hooks.delete(principal, id, audit);
  }
}
