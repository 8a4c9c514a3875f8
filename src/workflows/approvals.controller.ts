import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { PageQueryDto } from '../common/http/page-query.dto';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { WaitingApprovalDto } from './dto/waiting-approval.dto';
import { StepDecisions } from './step-decisions';

/** The approval steps waiting for the caller: where a decider who may not read a run finds what to decide. */
@ApiTags('workflows')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED, ErrorCode.VALIDATION_FAILED)
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly decisions: StepDecisions) {}

  @Get()
  @RequirePermissions('workflows:read')
  @ApiOperation({
    operationId: 'listWaitingApprovals',
    summary: 'The waiting approval steps of running runs that you may decide, oldest run first',
    description:
      'A step naming a `permission` is listed to its holders (on anyone’s run); any other to whoever may change ' +
      'the run (its creator holding `workflows:write`, or an admin). Each carries its run, workflow and step, ' +
      'never the run’s input, outputs or creator. Decide one with `POST /workflow-runs/{runId}/steps/{stepId}/approve` or `/reject`.',
  })
  @ApiEnvelope(WaitingApprovalDto, { list: true })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQueryDto,
  ): Promise<Page<WaitingApprovalDto>> {
    const page = await this.decisions.waitingFor(principal, query.skip, query.limit);
    return new Page(page.items.map(WaitingApprovalDto.from), page.total, query.skip, query.limit);
  }
}
