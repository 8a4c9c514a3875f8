import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { StatsDto } from './dto/stats.dto';
import { StatsService } from './stats.service';

@ApiTags('stats')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @RequirePermissions('tasks:read')
  @ApiOperation({
    operationId: 'getStats',
    summary:
      'Dashboard: tasks per minute (last hour) and per hour (last day) by status, failure rates, p95 durations per agent type, running tasks, queue depth and open circuit breakers; every task for admins, your own otherwise',
  })
  @ApiEnvelope(StatsDto)
  snapshot(@CurrentPrincipal() principal: Principal): Promise<StatsDto> {
    return this.stats.snapshot(principal);
  }
}
