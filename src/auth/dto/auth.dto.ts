import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 320 })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ minLength: 12, maxLength: 128, writeOnly: true })
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  password!: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

export class LoginDto {
  @ApiProperty({ format: 'email' })
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ writeOnly: true })
  @IsString()
  @MaxLength(128)
  password!: string;

  @ApiPropertyOptional({ description: 'Current TOTP code, required once MFA is enabled', example: '123456' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit code' })
  totp?: string;
}

export class RefreshDto {
  @ApiProperty({ writeOnly: true })
  @IsString()
  @Length(20, 200)
  refreshToken!: string;
}

export class MfaCodeDto {
  @ApiProperty({ example: '123456' })
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit code' })
  code!: string;
}

export class TokenPairDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty() refreshToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Access token lifetime in seconds' }) expiresIn!: number;
}

export class MfaSetupDto {
  @ApiProperty({ description: 'Base32 TOTP secret' }) secret!: string;
  @ApiProperty({ description: 'otpauth:// URL for authenticator apps' }) otpauthUrl!: string;
}

export class MfaStatusDto {
  @ApiProperty() mfaEnabled!: boolean;
}
