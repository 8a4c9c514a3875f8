import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { RequirePermissions } from '../auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import { publishedSchema } from '../common/schema/published-schema';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { AgentTypeRegistry } from './agent-type.registry';
import { AgentTypeDto } from './dto/agent.dto';

@ApiTags('agents')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@RequirePermissions('agents:read')
@Controller('agent-types')
export class AgentTypesController {
  constructor(private readonly types: AgentTypeRegistry) {}

  @Get()
  @ApiOperation({
    operationId: 'listAgentTypes',
    summary: 'The agent types this platform runs, with their JSON Schemas (2020-12)',
  })
  @ApiEnvelope(AgentTypeDto, { array: true })
  list(): AgentTypeDto[] {
    return this.types.all().map((t) => ({
      type: t.type,
      description: t.description,
      configSchema: publishedSchema(t.configSchema),
      inputSchema: publishedSchema(t.inputSchema),
      outputSchema: publishedSchema(t.outputSchema),
    }));
  }
}
