import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsDisplayText } from '../../common/http/display-text';
import { IsId } from '../../common/http/ids';
import { FreeFormJson, IsOptionalNotNull, ValidateNestedOne } from '../../common/http/dto-decorators';
import { ApiJsonProperty, ApiJsonPropertyOptional } from '../../common/swagger/api-envelope';
import { HOOK_AUTHS, type HookAuth } from '../entities/inbound-hook.entity';
import type { InboundHook } from '../persistence/inbound-hook.repository';

export const MAX_HOOK_RATE_PER_MINUTE = 10_000;
export const DEFAULT_HOOK_RATE_PER_MINUTE = 60;

/** What each call starts: a task of an agent or a run of a workflow. */
export class HookTargetDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A task of this agent (or `workflowId`, not both)' })
  @IsOptionalNotNull()
  @IsId()
  agentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A run of this workflow (or `agentId`, not both)' })
  @IsOptionalNotNull()
  @IsId()
  workflowId?: string;
}

const TEMPLATE_DOC =
  'The input made of each call: JSON with `{{ … }}` JSONata templates over `body` (the request body); ' +
  'without it the body is the input';

export class CreateHookDto {
  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  name!: string;

  @ApiProperty({ type: HookTargetDto })
  @IsDefined()
  @ValidateNestedOne(() => HookTargetDto)
  target!: HookTargetDto;

  @ApiProperty({
    enum: HOOK_AUTHS,
    description:
      '`hmac`: Standard Webhooks signatures with a `whsec_` secret; `bearer`: `Authorization: Bearer <token>`',
  })
  @IsIn(HOOK_AUTHS)
  auth!: HookAuth;

  @ApiJsonPropertyOptional({ description: TEMPLATE_DOC })
  @IsOptionalNotNull()
  @FreeFormJson()
  inputTemplate?: unknown;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_HOOK_RATE_PER_MINUTE,
    default: DEFAULT_HOOK_RATE_PER_MINUTE,
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_HOOK_RATE_PER_MINUTE)
  rateLimitPerMinute?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

/** The target and the kind of secret are fixed: a hook that should change them is a new hook. */
export class UpdateHookDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  name?: string;

  @ApiJsonPropertyOptional({ description: `${TEMPLATE_DOC}; null removes it`, nullable: true })
  @IsOptional()
  @FreeFormJson()
  inputTemplate?: unknown;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_HOOK_RATE_PER_MINUTE })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_HOOK_RATE_PER_MINUTE)
  rateLimitPerMinute?: number;

  @ApiPropertyOptional({ description: 'false: calls are refused (409 INVALID_STATE) until it is enabled again' })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class HookDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: HookTargetDto }) target!: HookTargetDto;
  @ApiProperty({ enum: HOOK_AUTHS }) auth!: HookAuth;
  @ApiJsonProperty({ nullable: true }) inputTemplate!: unknown;
  @ApiProperty() rateLimitPerMinute!: number;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({
    description:
      'true: its agent or workflow (not a step agent of its workflow) was deleted since it was made, and each call is refused (409 CONFLICT); delete the hook',
  })
  targetDeleted!: boolean;
  @ApiProperty({ description: 'Where outside systems call it: `POST` with a JSON body' }) url!: string;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt!: Date;

  static from({ hook: h, targetDeleted }: { hook: InboundHook; targetDeleted: boolean }): HookDto {
    return {
      id: h.id,
      name: h.name,
      target: h.agentId ? { agentId: h.agentId } : { workflowId: h.workflowId! },
      auth: h.auth,
      inputTemplate: h.inputTemplate ?? null,
      rateLimitPerMinute: h.rateLimitPerMinute,
      enabled: h.enabled,
      targetDeleted,
      url: `/api/v1/hooks/${h.id}`,
      createdBy: h.createdBy,
      createdAt: h.createdAt,
      updatedAt: h.updatedAt,
    };
  }
}

export class CreatedHookDto extends HookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'hmac: the signing secret (`whsec_<base64>`); bearer: the token (`ymh_…`). Shown this once',
  })
  secret!: string;
}

/** What a call started. */
export class HookCallResultDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The task started (agent hooks)' }) taskId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The run started (workflow hooks)' }) runId?: string;
  @ApiProperty({ description: 'true: an earlier call with the same webhook-id (or Idempotency-Key) started it' })
  duplicate!: boolean;
}
