import { Controller, Get, HttpCode, type MessageEvent, Post, Query, Req, Sse } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { FileReads } from '../agents/file-reads';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import { LiveSessions } from '../auth/live-sessions';
import { isAdmin, type Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import type { Page } from '../common/http/envelope';
import { IdParam } from '../common/http/ids';
import { liveResourceStream } from '../common/http/sse';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { ApiEventStream } from '../common/swagger/api-event-stream';
import { runEvent } from '../events/event-bus';
import { TaskEventFanout } from '../events/task-event-fanout';
import { WorkflowRunQueryDto } from './dto/run-query.dto';
import { RunListItemDto } from './dto/run-list-item.dto';
import { WorkflowRunDto } from './dto/workflow-run.dto';
import { RunRetry } from './run-retry';
import { RUN_LIST_BOUND, runDto, runPage } from './run-view';
import { isTaskStep } from './workflow-definition';
import { WorkflowsService } from './workflows.service';

/** A run, of any workflow: listed, read, cancelled, retried and followed by its id. */
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
