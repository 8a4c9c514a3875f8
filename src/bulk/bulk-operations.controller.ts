import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequireAnyPermission, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { type BulkCreated, BulkOperationsService } from './bulk-operations.service';
import {
  BulkDryRunDto,
  BulkOperationDto,
  BulkOperationQueryDto,
  BulkRunsRequestDto,
  BulkTasksRequestDto,
} from './dto/bulk.dto';

const DESCRIPTION =
  'Retries or cancels every match of the filter (the list filter of the same items) that the action applies ' +
  'to, in the background, a batch at a time: the items created before the operation that match when their ' +
  'batch reaches them. `dryRun` only counts (200). A filter that narrows by nothing but `status` needs ' +
  '`all: true`. Non-admins reach their own items only.';

const READ_DESCRIPTION =
  'Takes `tasks:read` or `workflows:read` (403 with neither): operations on tasks are read with ' +
  '`tasks:read`, those on workflow runs with `workflows:read`.';

/** A dry run answers 200 with the count; an operation, 202 with itself. */
function answer(created: BulkCreated, res: Response): BulkDryRunDto | BulkOperationDto {
  if ('matched' in created) {
    res.status(200);
    return { matched: created.matched };
  }
  return BulkOperationDto.from(created.operation);
}

@ApiTags('bulk-operations')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller()
export class BulkOperationsController {
  constructor(private readonly bulk: BulkOperationsService) {}

  @Post('tasks/bulk')
  @HttpCode(202)
  @RequirePermissions('tasks:write')
  @AuditAction('bulk_operation.create', 'bulkOperation')
  @ApiOperation({
    operationId: 'bulkTasks',
    summary: 'Retry or cancel every task a filter matches',
    description: DESCRIPTION,
  })
  @ApiEnvelope(BulkOperationDto, { status: 202, description: 'The operation, queued' })
  @ApiEnvelope(BulkDryRunDto, { status: 200, description: 'Dry run: how many tasks the action would apply to' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async tasks(
    @CurrentPrincipal() principal: Principal,
    @Body() body: BulkTasksRequestDto,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<BulkDryRunDto | BulkOperationDto> {
    return answer(await this.bulk.create(principal, 'tasks', body, audit), res);
  }

  @Post('workflow-runs/bulk')
  @HttpCode(202)
  @RequirePermissions('workflows:write')
  @AuditAction('bulk_operation.create', 'bulkOperation')
  @ApiOperation({
    operationId: 'bulkWorkflowRuns',
    summary: 'Retry or cancel every workflow run a filter matches',
    description: DESCRIPTION,
  })
  @ApiEnvelope(BulkOperationDto, { status: 202, description: 'The operation, queued' })
  @ApiEnvelope(BulkDryRunDto, { status: 200, description: 'Dry run: how many runs the action would apply to' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async runs(
    @CurrentPrincipal() principal: Principal,
    @Body() body: BulkRunsRequestDto,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<BulkDryRunDto | BulkOperationDto> {
    return answer(await this.bulk.create(principal, 'workflow-runs', body, audit), res);
  }

  @Get('bulk-operations')
  @RequireAnyPermission('tasks:read', 'workflows:read')
  @ApiOperation({
    operationId: 'listBulkOperations',
    summary: 'Your bulk operations (admins: everyone’s), newest first',
    description: READ_DESCRIPTION + ' Lists only the kinds the caller may read, and `meta.total` counts those alone.',
  })
  @ApiEnvelope(BulkOperationDto, { list: true })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: BulkOperationQueryDto,
  ): Promise<Page<BulkOperationDto>> {
    const page = await this.bulk.list(principal, query.skip, query.limit);
    return new Page(page.items.map(BulkOperationDto.from), page.total, page.skip, page.limit);
  }

  @Get('bulk-operations/:id')
  @RequireAnyPermission('tasks:read', 'workflows:read')
  @ApiOperation({
    operationId: 'getBulkOperation',
    summary: 'One bulk operation and its progress',
    description: READ_DESCRIPTION + ' One of a kind the caller may not read → 404, as one they may not see.',
  })
  @ApiEnvelope(BulkOperationDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<BulkOperationDto> {
    return BulkOperationDto.from(await this.bulk.get(principal, id));
  }
}
