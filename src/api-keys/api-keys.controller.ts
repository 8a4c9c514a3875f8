import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import { isAdmin, type Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { PageQueryDto } from '../common/http/page-query.dto';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyDto,
  ApiKeyRevocationDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  RevokeApiKeyQueryDto,
} from './dto/api-key.dto';

@ApiTags('api-keys')
@ApiBearerAuth('bearer')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@RequirePermissions('apikeys:manage')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @AuditAction('apikey.create', 'apiKey')
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create an API key; the key is in this response only',
    description: 'For a signed-in user only: from an API key, 403 FORBIDDEN (a key made by a key would outlive it).',
  })
  @ApiEnvelope(CreatedApiKeyDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<CreatedApiKeyDto> {
    const { entity, key } = await this.keys.create(principal, body, audit);
    return Object.assign(ApiKeyDto.from(entity), { key });
  }

  @ApiSecurity('apiKey')
  @Get()
  @ApiOperation({ operationId: 'listApiKeys', summary: 'Your live API keys (admins: everyone’s)' })
  @ApiEnvelope(ApiKeyDto, { list: true })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    const [items, total] = await this.keys.list(principal, query.skip, query.limit, isAdmin(principal));
    return new Page(items.map(ApiKeyDto.from), total, query.skip, query.limit);
  }

  @ApiSecurity('apiKey')
  @Get(':id/revocation')
  @ApiOperation({
    operationId: 'previewApiKeyRevocation',
    summary: 'What revoking the key would stop now besides it (nothing is changed)',
    description:
      'The counts a revocation without `keepRunning` would write in its audit entry, were it made now: the ' +
      'schedules it would pause, webhook endpoints it would disable and workflows whose triggers it would pause.',
  })
  @ApiEnvelope(ApiKeyRevocationDto)
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED)
  revocation(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ApiKeyRevocationDto> {
    return this.keys.wouldStop(principal, id, isAdmin(principal));
  }

  @ApiSecurity('apiKey')
  @Delete(':id')
  @HttpCode(204)
  @AuditAction('apikey.revoke', 'apiKey')
  @ApiOperation({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key; it stops working at once',
    description:
      'The schedules the key created or last changed are paused, its webhook endpoints disabled and its workflows’ ' +
      'triggers paused, in the same ' +
      'transaction (each with its reason and an audit entry), unless `keepRunning=true`, which takes a signed-in ' +
      'user (from an API key, 403 FORBIDDEN).',
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Query() query: RevokeApiKeyQueryDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    await this.keys.revoke(principal, id, { asAdmin: isAdmin(principal), keepRunning: query.keepRunning }, audit);
  }
}
