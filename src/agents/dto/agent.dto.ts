import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { FreeFormJson, IsOptionalNotNull } from '../../common/http/dto-decorators';
import { IsDisplayDescription } from '../../common/http/display-text';
import { IsJsonWithin } from '../../common/http/json-within';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { ApiJsonProperty } from '../../common/swagger/api-envelope';
import type { BreakerState } from '../outbound/circuit-breakers';
import type { AgentStatus } from '../entities/agent.entity';

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$/;
const NAME_RULE =
  'ASCII letters and digits, space . _ -, starting with a letter or digit and not ending with a space; unique ' +
  'among agents not deleted (letter case counts), so a deleted agent name may be taken again';

/** An agent's config as JSON: every agent list shows it whole. */
export const MAX_AGENT_CONFIG_BYTES = 64 * 1024;
const CONFIG_SIZE_RULE = `At most ${MAX_AGENT_CONFIG_BYTES / 1024} KiB as JSON.`;

/** Checked when an agent is created and when its config changes (and again on every call the agent makes). */
const TARGET_RULE =
  "The type's target (http url, llm baseUrl) must not be, or resolve to, a private, loopback or link-local " +
  'address unless AGENT_ALLOW_PRIVATE_NETWORKS=true, else 400 VALIDATION_FAILED naming the field';

export class CreateAgentDto {
  @ApiProperty({ minLength: 1, maxLength: 200, pattern: NAME.source, description: NAME_RULE })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(NAME, {
    message:
      'must start with an ASCII letter or digit, use ASCII letters, digits, space . _ - and not end with a space',
  })
  name!: string;

  @ApiProperty({ maxLength: 50, example: 'calculator', description: 'One of GET /agent-types' })
  @IsString()
  @MaxLength(50)
  type!: string;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsDisplayDescription()
  description?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Validated against the type's configSchema; defaults applied. ${CONFIG_SIZE_RULE} ${TARGET_RULE}`,
  })
  @IsOptionalNotNull()
  @IsObject()
  @IsJsonWithin(MAX_AGENT_CONFIG_BYTES)
  @FreeFormJson()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 1,
    description: 'Tasks of this agent running at once',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1000)
  concurrency?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    nullable: true,
    description: 'Tasks of this agent with the same concurrencyKey running at once; none (null): no limit per key',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  concurrencyPerKey?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 100, maximum: 3_600_000, default: 60_000 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  timeoutMs?: number;
}

export class UpdateAgentDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, pattern: NAME.source, description: NAME_RULE })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(NAME, {
    message:
      'must start with an ASCII letter or digit, use ASCII letters, digits, space . _ - and not end with a space',
  })
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsDisplayDescription()
  description?: string;

  @ApiPropertyOptional({ enum: ['active', 'paused'], description: 'A paused agent keeps its queued tasks waiting' })
  @IsOptionalNotNull()
  @IsIn(['active', 'paused'])
  status?: AgentStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1000)
  concurrency?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    nullable: true,
    description: 'null removes the limit per key',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  concurrencyPerKey?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 100, maximum: 3_600_000 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  timeoutMs?: number;
}

export class AgentConfigDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Secret fields (writeOnly, and http header values) may be sent back as "********" to keep them while the ' +
      "type's target (x-secret-target: url, baseUrl) stays the same; with a new target each must be sent again or " +
      `left out, else 400 VALIDATION_FAILED naming each field. ${CONFIG_SIZE_RULE} ${TARGET_RULE}`,
  })
  @IsObject()
  @IsJsonWithin(MAX_AGENT_CONFIG_BYTES)
  @FreeFormJson()
  config!: Record<string, unknown>;
}

export class RollbackDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 2_147_483_647 })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version!: number;
}

export class AgentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 50, description: 'One of GET /agent-types; another → 400 `/type`' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  type?: string;

  @ApiPropertyOptional({ enum: ['active', 'paused'] })
  @IsOptional()
  @IsIn(['active', 'paused'])
  status?: AgentStatus;

  @ApiPropertyOptional({ maxLength: 200, description: 'Searches name and description' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class CircuitBreakerDto {
  @ApiProperty({ enum: ['closed', 'open', 'half-open'] }) state!: BreakerState;
}

export class AgentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ enum: ['active', 'paused'] }) status!: AgentStatus;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Secret fields (writeOnly, and http header values) shown as "********"',
  })
  config!: Record<string, unknown>;
  @ApiProperty() configVersion!: number;
  @ApiProperty() concurrency!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Tasks with the same concurrencyKey running at once' })
  concurrencyPerKey!: number | null;
  @ApiProperty() timeoutMs!: number;
  @ApiPropertyOptional({ type: CircuitBreakerDto, description: 'Remote agent types only' })
  circuitBreaker?: CircuitBreakerDto;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt!: Date;
}

export class AgentConfigVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Secret fields shown as "********"' })
  config!: Record<string, unknown>;
  @ApiProperty({ enum: ['create', 'update', 'rollback'] }) source!: string;
  @ApiProperty({ nullable: true, type: Number }) rolledBackFrom!: number | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
}

export class AgentTypeDto {
  @ApiProperty() type!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) configSchema!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) inputSchema!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) outputSchema!: Record<string, unknown>;
}

export class AgentCheckpointDto {
  @ApiJsonProperty({ nullable: true, description: 'The state document the agent saved last' })
  state!: unknown;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  savedAt!: Date | null;
}

/** The answer to a config change or rollback: the version now live and its config. */
export class AgentConfigSetDto extends PickType(AgentConfigVersionDto, ['version', 'config'] as const) {}
