import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  MaxLength,
  MinDate,
  MinLength,
} from 'class-validator';
import { IsDisplayText } from '../../common/http/display-text';
import { type Permission, PERMISSIONS } from '../../auth/permissions';
import { DATE_OR_DAY, IsBoundedDate, IsOptionalNotNull, IsQueryBoolean } from '../../common/http/dto-decorators';
import type { ApiKeyEntity } from '../entities/api-key.entity';

export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsDisplayText()
  name!: string;

  @ApiProperty({
    maxItems: 19,
    enum: PERMISSIONS,
    isArray: true,
    minItems: 1,
    description: "At least one; a subset of the creator's permissions",
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'scopes must name at least one permission: a key with none could do nothing' })
  @ArrayUnique()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  scopes!: Permission[];

  @ApiPropertyOptional({ ...DATE_OR_DAY, description: 'Never expires when absent' })
  @IsOptionalNotNull()
  @IsBoundedDate()
  @MinDate(() => new Date(), { message: 'must be in the future' })
  expiresAt?: Date;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Public part of the key, shown in lists' }) prefix!: string;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) scopes!: Permission[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt!: Date | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;

  static from(key: ApiKeyEntity): ApiKeyDto {
    const { id, name, prefix, scopes, expiresAt, lastUsedAt, createdAt } = key;
    return Object.assign(new ApiKeyDto(), { id, name, prefix, scopes, expiresAt, lastUsedAt, createdAt });
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself; shown this once. Send it as the X-API-Key header.' })
  key!: string;
}

export class RevokeApiKeyQueryDto {
  @ApiPropertyOptional({
    description:
      'Keep running the schedules, webhooks and workflow triggers the key created or last changed (as when ' +
      'rotating a key); from an API key, 403. ' +
      'By default they are paused and disabled with it, as after a leak.',
  })
  @IsQueryBoolean()
  keepRunning?: boolean;
}

/** What revoking a key would stop now besides it, with the names of its `apikey.revoke` audit entry's counts. */
export class ApiKeyRevocationDto {
  @ApiProperty({ minimum: 0, description: 'Running schedules the key created or last changed: paused with it' })
  pausedSchedules!: number;

  @ApiProperty({ minimum: 0, description: 'Enabled webhook endpoints the key created or last changed: disabled' })
  disabledWebhooks!: number;

  @ApiProperty({
    minimum: 0,
    description: 'Workflows with running triggers that the key created or last changed: their triggers paused',
  })
  pausedWorkflowTriggers!: number;
}
