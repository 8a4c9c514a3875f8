import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import type { Response } from 'express';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { ApiIdempotencyKey, checkedIdempotencyKey } from '../common/http/idempotency-key';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import {
  CreateWorkflowDto,
  RunQueryDto,
  StartRunDto,
  UpdateWorkflowDto,
  WorkflowDetailDto,
  WorkflowListItemDto,
  WorkflowDto,
  WorkflowQueryDto,
} from './dto/workflow.dto';
import { WorkflowRunDto } from './dto/workflow-run.dto';
import type { WorkflowEntity } from './entities/workflow.entity';
import { RunListItemDto } from './dto/run-list-item.dto';
import { RUN_LIST_BOUND, runDto, runPage } from './run-view';
import { WorkflowsService } from './workflows.service';
import { FileReads } from '../agents/file-reads';
import { isTaskStep } from './workflow-definition';

/** Said of every route that changes a workflow: workflows are shared for reading and running, not for changing. */
const CREATOR_OR_ADMIN =
  "Only the workflow's creator or an admin may change it: anyone else gets 403 FORBIDDEN (audited as denied).";

function workflowDto(w: WorkflowEntity): WorkflowDto {
  return { ...workflowFields(w), steps: w.steps };
}

/** A workflow's fields but its steps, which a list may leave out. */
function workflowFields(w: Omit<WorkflowEntity, 'steps'>): Omit<WorkflowDto, 'steps'> {
  const { id, name, description, triggers, triggersPausedReason, version, createdBy, createdAt, updatedAt } = w;
  return {
    id,
    name,
    description,
    triggers,
    triggersPausedReason,
    version,
    createdBy,
    changedWithApiKeyId: w.changedWithKeyId,
    createdAt,
    updatedAt,
  };
}

@ApiTags('workflows')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('workflows')
export class WorkflowsController {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly fileReads: FileReads,
  ) {}

  @Post()
  @RequirePermissions('workflows:write')
  @AuditAction('workflow.create', 'workflow')
  @ApiOperation({
    operationId: 'createWorkflow',
    summary: 'Define a workflow: unique step ids, known agents, no cycles (a cycle is named)',
    description: 'One workflow more than WORKFLOWS_PER_USER (1000 by default) allows a user → 409 CONFLICT.',
  })
  @ApiEnvelope(WorkflowDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWorkflowDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowDto> {
    return workflowDto(await this.workflows.create(principal, body, audit));
  }

  @Get()
  @RequirePermissions('workflows:read')
  @ApiOperation({ operationId: 'listWorkflows', summary: 'List workflows' })
  @ApiEnvelope(WorkflowListItemDto, { list: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async list(@Query() query: WorkflowQueryDto): Promise<Page<WorkflowListItemDto>> {
    const page = await this.workflows.list(query);
    const items = page.items.map((w) => ({
      ...workflowFields(w),
      steps: w.steps,
      stepCount: w.stepCount,
      stepsOmitted: w.stepsOmitted,
    }));
    return new Page(items, page.total, page.skip, page.limit);
  }

  @Get(':id')
  @RequirePermissions('workflows:read')
  @ApiOperation({ operationId: 'getWorkflow', summary: 'One workflow' })
  @ApiEnvelope(WorkflowDetailDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@IdParam() id: string): Promise<WorkflowDetailDto> {
    const { workflow, stepsWithDeletedAgent } = await this.workflows.detail(id);
    return { ...workflowDto(workflow), stepsWithDeletedAgent };
  }

  @Patch(':id')
  @RequirePermissions('workflows:write')
  @AuditAction('workflow.update', 'workflow')
  @ApiOperation({
    operationId: 'updateWorkflow',
    summary: 'Change a workflow; new steps make a new version (running runs keep theirs)',
    description: CREATOR_OR_ADMIN,
  })
  @ApiEnvelope(WorkflowDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: UpdateWorkflowDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowDto> {
    return workflowDto(await this.workflows.update(principal, id, body, audit));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('workflows:write')
  @AuditAction('workflow.delete', 'workflow')
  @ApiOperation({
    operationId: 'deleteWorkflow',
    summary: 'Delete a workflow (its runs stay)',
    description: CREATOR_OR_ADMIN,
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    await this.workflows.remove(principal, id, audit);
  }

  @Post(':id/runs')
  @HttpCode(202)
  @RequirePermissions('workflows:write')
  @AuditAction('workflow.run', 'workflowRun')
  @ApiOperation({
    operationId: 'startWorkflowRun',
    summary: 'Start a run; independent steps run in parallel',
    description:
      'With `Idempotency-Key`, the same key and body (input and tags) on the same workflow within 24 h return the same run (200); a different body or workflow → 422.',
  })
  @ApiIdempotencyKey()
  // Every field is optional: a request with no body starts a run with no input and no tags.
  @ApiBody({ type: StartRunDto, required: false })
  @ApiEnvelope(WorkflowRunDto, { status: 202 })
  @ApiEnvelope(WorkflowRunDto, {
    status: 200,
    description: 'The run an earlier request with this Idempotency-Key started',
  })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.IDEMPOTENCY_CONFLICT)
  async start(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: StartRunDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowRunDto> {
    const steps = async () => (await this.workflows.get(id)).steps.filter(isTaskStep);
    await this.fileReads.assertMayRead(principal, steps, 'A run of a workflow whose steps read a file');
    const { run, created } = await this.workflows.startOnce(principal.userId, id, body, {
      audit,
      idempotencyKey: checkedIdempotencyKey(idempotencyKey),
      clientKey: true,
    });
    if (!created) res.status(200);
    return runDto(run);
  }

  @Get(':id/runs')
  @RequirePermissions('workflows:read')
  @ApiOperation({
    operationId: 'listWorkflowRuns',
    summary: 'Your runs of a workflow (admins: everyone’s), newest first',
    description: RUN_LIST_BOUND,
  })
  @ApiEnvelope(RunListItemDto, { list: true })
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED)
  async runs(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Query() query: RunQueryDto,
  ): Promise<Page<RunListItemDto>> {
    await this.workflows.get(id);
    return runPage(await this.workflows.listRuns(principal, { ...query, workflowId: id }));
  }
}
