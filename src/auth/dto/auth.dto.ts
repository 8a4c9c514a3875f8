import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, Length, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsDisplayText } from '../../common/http/display-text';
import { ACCOUNT_EMAIL_PATTERN, IsAccountEmail, IsOptionalNotNull } from '../../common/http/dto-decorators';
import { RECOVERY_CODE_PATTERN } from '../mfa.service';
import { IsNewPassword, PASSWORD_RULE } from '../../common/http/new-password';

const RECOVERY_CODE = {
  description: 'A recovery code: 16 base32 characters, dashes and case ignored; each works once',
  example: 'ABCD-EFGH-IJKL-MNOP',
  pattern: RECOVERY_CODE_PATTERN.source,
  writeOnly: true,
} as const;

/** A TOTP code: six digits. */
const TOTP_CODE = /^\d{6}$/;

const USE_COOKIE =
  'Browser clients: answer the refresh token in an HttpOnly cookie (Path=/api/v1/auth, SameSite=Strict) instead of the body; needs the header X-Requested-With: ymera';

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 320, pattern: ACCOUNT_EMAIL_PATTERN, description: 'ASCII only' })
  @IsAccountEmail()
  email!: string;

  @ApiProperty({ minLength: 12, maxLength: 128, writeOnly: true, description: PASSWORD_RULE })
  @IsNewPassword()
  password!: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsDisplayText()
  name!: string;
}

export class LoginDto {
  @ApiProperty({ maxLength: 320, format: 'email' })
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ maxLength: 128, writeOnly: true })
  @IsString()
  @MaxLength(128)
  password!: string;

  @ApiPropertyOptional({
    description: 'Current TOTP code; once MFA is enabled this or recoveryCode is required. Each code works once',
    example: '123456',
    pattern: TOTP_CODE.source,
    writeOnly: true,
  })
  @IsOptionalNotNull()
  @Matches(TOTP_CODE, { message: 'must be a 6-digit code' })
  totp?: string;

  @ApiPropertyOptional({ ...RECOVERY_CODE, description: `${RECOVERY_CODE.description}; instead of totp` })
  @IsOptionalNotNull()
  @Matches(RECOVERY_CODE_PATTERN, { message: 'must be a recovery code (16 letters A-Z and digits 2-7)' })
  recoveryCode?: string;

  @ApiPropertyOptional({ description: USE_COOKIE, default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  useCookie?: boolean;
}

export class LogoutDto {
  @ApiPropertyOptional({
    writeOnly: true,
    minLength: 20,
    maxLength: 200,
    description: 'Required unless the refresh cookie is sent (then with the header X-Requested-With: ymera)',
  })
  @IsOptionalNotNull()
  @IsString()
  @Length(20, 200)
  refreshToken?: string;
}

export class RefreshDto extends LogoutDto {
  @ApiPropertyOptional({
    description: `${USE_COOKIE}. A token read from the cookie is always answered in the cookie`,
    default: false,
  })
  @IsOptionalNotNull()
  @IsBoolean()
  useCookie?: boolean;
}

export class MfaCodeDto {
  @ApiProperty({
    description: 'Current TOTP code; each code works once',
    example: '123456',
    pattern: TOTP_CODE.source,
    writeOnly: true,
  })
  @Matches(TOTP_CODE, { message: 'must be a 6-digit code' })
  code!: string;
}

/** Either a TOTP code or a recovery code (for an authenticator that is lost). */
export class MfaDisableDto {
  @ApiPropertyOptional({
    description: 'Current TOTP code; required unless recoveryCode is sent',
    example: '123456',
    pattern: TOTP_CODE.source,
    writeOnly: true,
  })
  @ValidateIf((o: MfaDisableDto) => o.recoveryCode === undefined || o.code !== undefined)
  @Matches(TOTP_CODE, { message: 'must be a 6-digit code' })
  code?: string;

  @ApiPropertyOptional({ ...RECOVERY_CODE, description: `${RECOVERY_CODE.description}; instead of code` })
  @IsOptionalNotNull()
  @Matches(RECOVERY_CODE_PATTERN, { message: 'must be a recovery code (16 letters A-Z and digits 2-7)' })
  recoveryCode?: string;
}

export class TokenPairDto {
  @ApiProperty() accessToken!: string;
  @ApiPropertyOptional({ description: 'Absent when it was set in the refresh cookie instead (useCookie)' })
  refreshToken?: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Access token lifetime in seconds' }) expiresIn!: number;
}

export class MfaSetupDto {
  @ApiProperty({ description: 'Base32 TOTP secret' }) secret!: string;
  @ApiProperty({ description: 'otpauth:// URL for authenticator apps' }) otpauthUrl!: string;
}

export class MfaStatusDto {
  @ApiProperty() mfaEnabled!: boolean;
  @ApiProperty({ description: 'Recovery codes not used yet (0 while MFA is off)', minimum: 0 })
  recoveryCodesRemaining!: number;
}

export class MfaRecoveryCodesDto {
  @ApiProperty({
    type: [String],
    description: 'Shown this once and stored only hashed; each works once at login instead of a TOTP code',
    example: ['ABCD-EFGH-IJKL-MNOP'],
  })
  recoveryCodes!: string[];
}

export class MfaEnabledDto extends MfaRecoveryCodesDto {
  @ApiProperty({ enum: [true] }) mfaEnabled!: true;
}
