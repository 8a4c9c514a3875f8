import { ApiEventStream } from '../common/swagger/api-event-stream';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  type MessageEvent,
  Patch,
  Post,
  Query,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import { LiveSessions } from '../auth/live-sessions';
import { isAdmin, type Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { ApiIdempotencyKey, checkedIdempotencyKey } from '../common/http/idempotency-key';
import { liveResourceStream } from '../common/http/sse';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { runEvent } from '../events/event-bus';
import { TaskEventFanout } from '../events/task-event-fanout';
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
import { WorkflowRunQueryDto } from './dto/run-query.dto';
import { RunListItemDto } from './dto/run-list-item.dto';
import type { ListedRun } from './persistence/run-list';
import { RunRetry } from './run-retry';
import { listedRunDto, runDto } from './run-view';
import { WorkflowsService } from './workflows.service';
import { FileReads } from '../agents/file-reads';
import { isTaskStep } from './workflow-definition';

/** Said of every route that changes a workflow: workflows are shared for reading and running, not for changing. */
const CREATOR_OR_ADMIN =
  "Only the workflow's creator or an admin may change it: anyone else gets 403 FORBIDDEN (audited as denied).";

const RUN_LIST_BOUND =
  'A run’s input and output over 64 KiB as JSON are left out of the list (null, with `inputOmitted` or ' +
  '`outputOmitted` true), and no step’s output is in it (null; the step’s `outputOmitted` true when it has one), ' +
  'so a page’s size does not grow with what its runs’ steps produced; ' +
  '`GET /workflow-runs/:runId` has them whole.';

function runPage(page: Page<ListedRun>): Page<RunListItemDto> {
  return new Page(page.items.map(listedRunDto), page.total, page.skip, page.limit);
}

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

@ApiTags('workflows')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('workflow-runs')
export class WorkflowRunsController {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly fanout: TaskEventFanout,
    private readonly retries: RunRetry,
    private readonly sessions: LiveSessions,
    private readonly fileReads: FileReads,
  ) {}

  @Get()
  @RequirePermissions('workflows:read')
  @ApiOperation({
    operationId: 'listAllWorkflowRuns',
    summary: 'Your runs of every workflow (admins: everyone’s), newest first; `status=failed` lists the dead letters',
    description: RUN_LIST_BOUND,
  })
  @ApiEnvelope(RunListItemDto, { list: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: WorkflowRunQueryDto,
  ): Promise<Page<RunListItemDto>> {
    return runPage(await this.workflows.listRuns(principal, query));
  }

  @Get(':runId')
  @RequirePermissions('workflows:read')
  @ApiOperation({ operationId: 'getWorkflowRun', summary: 'One run with the state of each step' })
  @ApiEnvelope(WorkflowRunDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@CurrentPrincipal() principal: Principal, @IdParam('runId') runId: string): Promise<WorkflowRunDto> {
    return runDto(await this.workflows.getRun(principal, runId));
  }

  @Post(':runId/cancel')
  @HttpCode(200)
  @RequirePermissions('workflows:write')
  @AuditAction('workflow_run.cancel', 'workflowRun')
  @ApiOperation({
    operationId: 'cancelWorkflowRun',
    summary: 'Cancel a run and its queued and running steps',
    description:
      'Only a running run, else 409 INVALID_STATE. Of cancels sent at once, one gets 200 (and the one audit ' +
      'entry), the others 409. Its open step tasks are cancelled with it: once answered, none of them starts.',
  })
  @ApiEnvelope(WorkflowRunDto)
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE)
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @IdParam('runId') runId: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowRunDto> {
    return runDto(await this.workflows.cancelRun(principal, runId, audit));
  }

  @Post(':runId/retry')
  @HttpCode(202)
  @RequirePermissions('workflows:write')
  @AuditAction('workflow_run.retry', 'workflowRun')
  @ApiOperation({
    operationId: 'retryWorkflowRun',
    summary: 'Run a failed or cancelled run again from where it failed',
    description:
      'Its failed, cancelled and skipped steps are pending again and run as their dependencies allow; succeeded ' +
      'steps keep their outputs and are not run again. The run is `running` again, or already `failed` again when ' +
      'a step it runs again fails at once (its input cannot be rendered).',
  })
  @ApiEnvelope(WorkflowRunDto, { status: 202 })
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE, ErrorCode.CONFLICT)
  async retry(
    @CurrentPrincipal() principal: Principal,
    @IdParam('runId') runId: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowRunDto> {
    const steps = async () => (await this.workflows.getRun(principal, runId)).definition.filter(isTaskStep);
    await this.fileReads.assertMayRead(principal, steps, 'A run of a workflow whose steps read a file');
    return runDto(await this.retries.retry(runId, isAdmin(principal) ? undefined : principal.userId, audit));
  }

  @Sse(':runId/events')
  @RequirePermissions('workflows:read')
  @ApiOperation({
    operationId: 'streamWorkflowRunEvents',
    summary: 'Server-Sent Events (`event: run`) for one run; the stream ends when the run does',
  })
  @ApiEventStream('text/event-stream of `run` events, the current state first')
  @ApiErrors(ErrorCode.NOT_FOUND)
  async stream(
    @CurrentPrincipal() principal: Principal,
    @IdParam('runId') runId: string,
    @Req() req: Request,
  ): Promise<Observable<MessageEvent>> {
    return this.sessions.stream(principal, req, async () => {
      await this.fanout.listening();
      return liveResourceStream<{ status: string }>(
        'run',
        this.fanout.followRun(runId),
        async () => {
          const current = await this.workflows.getRun(principal, runId);
          return runEvent(current, current.updatedAt);
        },
        (e) => e.status !== 'running',
        this.fanout.resyncs(),
      );
    });
  }
}
