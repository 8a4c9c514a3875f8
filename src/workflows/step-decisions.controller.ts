import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { DecisionReceiptDto } from './dto/decision-receipt.dto';
import { DecideStepDto, STEP_ID } from './dto/workflow.dto';
import { WorkflowRunDto } from './dto/workflow-run.dto';
import type { WorkflowRunEntity } from './entities/workflow-run.entity';
import { decisionReceipt, runDto } from './run-view';
import { seesRun, StepDecisions } from './step-decisions';

const DECIDERS =
  'by whoever may change the run (its creator with `workflows:write`, or an admin), or, when the step names a ' +
  '`permission`, by its holders only';
const REPLY =
  'Answers the run, after it advanced, to its creator and admins. Any other decider (a holder of the step’s ' +
  '`permission`) may not read the run and gets only the decided step: `{runId, step: {id, status, decision}}`.';

/** The run to whoever may read it; to anyone else (a holder of the step's permission) only their decision. */
function decisionReply(
  principal: Principal,
  run: WorkflowRunEntity,
  stepId: string,
): WorkflowRunDto | DecisionReceiptDto {
  return seesRun(principal, run) ? runDto(run) : decisionReceipt(run, stepId);
}

/** A step's id, as its definition names it (any other text names no step: 404). */
const STEP_PARAM = { name: 'stepId', schema: { type: 'string', pattern: STEP_ID.source } } as const;

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
    description: REPLY,
  })
  @ApiParam(STEP_PARAM)
  @ApiEnvelope([WorkflowRunDto, DecisionReceiptDto])
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE)
  async approve(
    @CurrentPrincipal() principal: Principal,
    @IdParam('runId') runId: string,
    @Param('stepId') stepId: string,
    @Body() body: DecideStepDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowRunDto | DecisionReceiptDto> {
    const run = await this.decisions.decide(principal, runId, stepId, true, body.comment, audit);
    return decisionReply(principal, run, stepId);
  }

  @Post(':runId/steps/:stepId/reject')
  @HttpCode(200)
  @RequirePermissions('workflows:read')
  @AuditAction('workflow_run.step_reject', 'workflowRun')
  @ApiOperation({
    operationId: 'rejectWorkflowStep',
    summary: `Reject a waiting approval step (it fails; \`continueOnFailure\` applies), ${DECIDERS}`,
    description: REPLY,
  })
  @ApiParam(STEP_PARAM)
  @ApiEnvelope([WorkflowRunDto, DecisionReceiptDto])
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE)
  async reject(
    @CurrentPrincipal() principal: Principal,
    @IdParam('runId') runId: string,
    @Param('stepId') stepId: string,
    @Body() body: DecideStepDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<WorkflowRunDto | DecisionReceiptDto> {
    const run = await this.decisions.decide(principal, runId, stepId, false, body.comment, audit);
    return decisionReply(principal, run, stepId);
  }
}
