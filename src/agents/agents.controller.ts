import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { PageQueryDto } from '../common/http/page-query.dto';
import { publishedSchema } from '../common/schema/published-schema';
import { ApiEnvelope, ApiErrors, JSON_OBJECT_SCHEMA } from '../common/swagger/api-envelope';
import { AgentTypeRegistry } from './agent-type.registry';
import { AgentsService } from './agents.service';
import {
  AgentCheckpointDto,
  AgentConfigDto,
  AgentConfigSetDto,
  AgentConfigVersionDto,
  AgentDto,
  AgentQueryDto,
  CreateAgentDto,
  RollbackDto,
  UpdateAgentDto,
} from './dto/agent.dto';
import type { AgentEntity } from './entities/agent.entity';
import { CircuitBreakers } from './outbound/circuit-breakers';

/** Said of every route that changes an agent: agents are shared for reading and use, not for changing. */
const CREATOR_OR_ADMIN =
  "Only the agent's creator or an admin may change it: anyone else gets 403 FORBIDDEN (audited as denied).";

@ApiTags('agents')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly types: AgentTypeRegistry,
    private readonly breakers: CircuitBreakers,
  ) {}

  private async toDto(agent: AgentEntity): Promise<AgentDto> {
    const {
      id,
      name,
      type,
      description,
      status,
      configVersion,
      concurrency,
      concurrencyPerKey,
      timeoutMs,
      createdBy,
      createdAt,
      updatedAt,
    } = agent;
    const dto: AgentDto = {
      id,
      name,
      type,
      description,
      status,
      config: this.agents.masked(agent, agent.config),
      configVersion,
      concurrency,
      concurrencyPerKey,
      timeoutMs,
      createdBy,
      createdAt,
      updatedAt,
    };
    if (this.types.get(type).usesCircuitBreaker) dto.circuitBreaker = { state: await this.breakers.stateOf(id) };
    return dto;
  }

  @Post()
  @RequirePermissions('agents:write')
  @AuditAction('agent.create', 'agent')
  @ApiOperation({
    operationId: 'createAgent',
    summary: "Register an agent; its config is validated against the type's configSchema",
    description:
      'A name taken by another agent → 409 CONFLICT; so does one agent more than AGENTS_PER_USER (1000 by default) allows a user.',
  })
  @ApiEnvelope(AgentDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateAgentDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<AgentDto> {
    return this.toDto(await this.agents.create(principal, body, audit));
  }

  @Get()
  @RequirePermissions('agents:read')
  @ApiOperation({ operationId: 'listAgents', summary: 'List agents (filter by type, status, text)' })
  @ApiEnvelope(AgentDto, { list: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async list(@Query() query: AgentQueryDto): Promise<Page<AgentDto>> {
    const page = await this.agents.list(query);
    return new Page(await Promise.all(page.items.map((a) => this.toDto(a))), page.total, page.skip, page.limit);
  }

  @Get(':id')
  @RequirePermissions('agents:read')
  @ApiOperation({ operationId: 'getAgent', summary: 'One agent' })
  @ApiEnvelope(AgentDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@IdParam() id: string): Promise<AgentDto> {
    return this.toDto(await this.agents.get(id));
  }

  @Patch(':id')
  @RequirePermissions('agents:write')
  @AuditAction('agent.update', 'agent')
  @ApiOperation({
    operationId: 'updateAgent',
    summary: 'Rename, describe, pause/resume, or change concurrency (per agent and per key) and timeout',
    description: CREATOR_OR_ADMIN,
  })
  @ApiEnvelope(AgentDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT)
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: UpdateAgentDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<AgentDto> {
    return this.toDto(await this.agents.update(principal, id, body, audit));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('agents:write')
  @AuditAction('agent.delete', 'agent')
  @ApiOperation({
    operationId: 'deleteAgent',
    summary: 'Delete an agent (soft: its history stays, it takes no new tasks)',
    description: CREATOR_OR_ADMIN,
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    await this.agents.remove(principal, id, audit);
  }

  @Get(':id/schema')
  @RequirePermissions('agents:read')
  @ApiOperation({ operationId: 'getAgentConfigSchema', summary: "The agent type's config JSON Schema" })
  @ApiEnvelope({ ...JSON_OBJECT_SCHEMA, description: 'JSON Schema 2020-12' })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async schema(@IdParam() id: string): Promise<Record<string, unknown>> {
    const agent = await this.agents.get(id);
    return publishedSchema(this.types.get(agent.type).configSchema);
  }

  @Post(':id/config')
  @HttpCode(200)
  @RequirePermissions('agents:write')
  @AuditAction('agent.config_update', 'agent')
  @ApiOperation({
    operationId: 'setAgentConfig',
    summary: 'Replace the config: a new version, live for the next task without a restart',
    description: CREATOR_OR_ADMIN,
  })
  @ApiEnvelope(AgentConfigSetDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)
  async setConfig(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: AgentConfigDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<AgentConfigSetDto> {
    const agent = await this.agents.setConfig(principal, id, body.config, audit);
    return { version: agent.configVersion, config: this.agents.masked(agent, agent.config) };
  }

  @Get(':id/config/versions')
  @RequirePermissions('agents:read')
  @ApiOperation({ operationId: 'listAgentConfigVersions', summary: 'Config history, newest first (secrets masked)' })
  @ApiEnvelope(AgentConfigVersionDto, { list: true })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async versions(@IdParam() id: string, @Query() query: PageQueryDto): Promise<Page<AgentConfigVersionDto>> {
    const agent = await this.agents.get(id);
    const page = await this.agents.versions(id, query.skip, query.limit);
    const items = page.items.map(({ version, config, source, rolledBackFrom, createdBy, createdAt }) => ({
      version,
      config: this.agents.masked(agent, config),
      source,
      rolledBackFrom,
      createdBy,
      createdAt,
    }));
    return new Page(items, page.total, page.skip, page.limit);
  }

  @Post(':id/config/rollback')
  @HttpCode(200)
  @RequirePermissions('agents:write')
  @AuditAction('agent.config_rollback', 'agent')
  @ApiOperation({
    operationId: 'rollbackAgentConfig',
    summary: 'A new version equal to an earlier one',
    description: CREATOR_OR_ADMIN,
  })
  @ApiEnvelope(AgentConfigSetDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)
  async rollback(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: RollbackDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<AgentConfigSetDto> {
    const agent = await this.agents.rollback(principal, id, body.version, audit);
    return { version: agent.configVersion, config: this.agents.masked(agent, agent.config) };
  }

  @Get(':id/checkpoint')
  @RequirePermissions('agents:read')
  @ApiOperation({ operationId: 'getAgentCheckpoint', summary: "The agent's last saved state document" })
  @ApiEnvelope(AgentCheckpointDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  checkpoint(@IdParam() id: string): Promise<AgentCheckpointDto> {
    return this.agents.checkpoint(id);
  }
}
