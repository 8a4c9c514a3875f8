import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsDisplayText } from '../../common/http/display-text';
import { ACCOUNT_EMAIL_PATTERN, IsAccountEmail, IsOptionalNotNull } from '../../common/http/dto-decorators';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { type Permission, PERMISSIONS, type Role, ROLES } from '../../auth/permissions';
import type { UserEntity } from '../entities/user.entity';
import { IsNewPassword, PASSWORD_RULE } from '../../common/http/new-password';

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() isActive!: boolean;
  @ApiProperty() mfaEnabled!: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastLoginAt!: Date | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt!: Date;

  static from(user: UserEntity): UserDto {
    const { id, email, name, role, isActive, mfaEnabled, lastLoginAt, createdAt, updatedAt } = user;
    return Object.assign(new UserDto(), {
      id,
      email,
      name,
      role,
      isActive,
      mfaEnabled,
      lastLoginAt,
      createdAt,
      updatedAt,
    });
  }
}

export class MeDto extends UserDto {
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions!: Permission[];
}

export class CreateUserDto {
  @ApiProperty({
    format: 'email',
    maxLength: 320,
    pattern: ACCOUNT_EMAIL_PATTERN,
    description: 'Unique, case-insensitive; ASCII only',
  })
  @IsAccountEmail()
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsDisplayText()
  name!: string;

  @ApiProperty({ minLength: 12, maxLength: 128, writeOnly: true, description: PASSWORD_RULE })
  @IsNewPassword()
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class SetPasswordDto {
  @ApiProperty({ minLength: 12, maxLength: 128, writeOnly: true, description: PASSWORD_RULE })
  @IsNewPassword()
  password!: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsDisplayText()
  name?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptionalNotNull()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  isActive?: boolean;
}

export class UserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Searches email and name (any case, anywhere in them)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
