import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { DecideStepDto, WorkflowRunDto } from './dto/workflow.dto';
import { runDto } from './run-view';
import { StepDecisions } from './step-decisions';

const DECIDERS =
  'by whoever may change the run (its creator with `workflows:write`, or an admin), or, when the step names a ' +
  '`permission`, by its holders only';

/** Approve and reject: the decisions on a run's waiting approval steps. */
@ApiTags('workflows')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('workflow-runs')
export class StepDecisionsController {
  constructor(private readonly decisions: StepDecisions) {}

  @Post(':runId/steps/:stepId/approve')
  @HttpCode(200)
  @RequirePermissions('workflows:read')
  @AuditAction('workflow_run.step_approve', 'workflowRun')
  @ApiOperation({
    operationId: 'approveWorkflowStep',
    summary: `Approve a waiting approval step (it succeeds and the run goes on), ${DECIDERS}`,
  })
  @ApiEnvelope(WorkflowRunDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE)
  async approve(
    @CurrentPrincipal() principal: Principal,
    @Param('runId', ParseUUIDPipe) runId: string,
    @Param('stepId') stepId: string,
    @Body() body: DecideStepDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowRunDto> {
    return runDto(await this.decisions.decide(principal, runId, stepId, true, body.comment, audit));
  }

  @Post(':runId/steps/:stepId/reject')
  @HttpCode(200)
  @RequirePermissions('workflows:read')
  @AuditAction('workflow_run.step_reject', 'workflowRun')
  @ApiOperation({
    operationId: 'rejectWorkflowStep',
    summary: `Reject a waiting approval step (it fails; \`continueOnFailure\` applies), ${DECIDERS}`,
  })
  @ApiEnvelope(WorkflowRunDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE)
  async reject(
    @CurrentPrincipal() principal: Principal,
    @Param('runId', ParseUUIDPipe) runId: string,
    @Param('stepId') stepId: string,
    @Body() body: DecideStepDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowRunDto> {
    return runDto(await this.decisions.decide(principal, runId, stepId, false, body.comment, audit));
  }
}
