import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditAction } from '../audit/audit.decorator';
import { ForbiddenError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { Public } from '../common/http/public.decorator';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { RateLimit } from '../throttling/rate-limit.decorator';
import { MeDto, UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { Authenticated, CurrentPrincipal } from './auth.decorators';
import { AuthService } from './auth.service';
import { LoginDto, MfaCodeDto, MfaSetupDto, MfaStatusDto, RefreshDto, RegisterDto, TokenPairDto } from './dto/auth.dto';
import type { Principal } from './principal';

function requireUser(principal: Principal): void {
  if (principal.type !== 'user') throw new ForbiddenError('Sign in with a password to manage MFA');
}

@ApiTags('auth')
@ApiErrors(ErrorCode.RATE_LIMITED)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('register')
  @AuditAction('auth.register', 'user')
  @ApiOperation({ summary: 'Create an account (role viewer); off when AUTH_REGISTRATION=closed' })
  @ApiEnvelope(UserDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN)
  async register(@Body() body: RegisterDto): Promise<UserDto> {
    return UserDto.from(await this.auth.register(body));
  }

  @Public()
  @RateLimit('login')
  @Post('login')
  @HttpCode(200)
  @AuditAction('auth.login', 'user')
  @ApiOperation({ summary: 'Exchange email and password (and TOTP once enabled) for tokens; 5 per minute per IP' })
  @ApiEnvelope(TokenPairDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHENTICATED, ErrorCode.MFA_REQUIRED)
  login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(body);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @AuditAction('auth.refresh', 'user')
  @ApiOperation({ summary: 'Rotate a refresh token; presenting a spent one revokes its whole family' })
  @ApiEnvelope(TokenPairDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHENTICATED)
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @AuditAction('auth.logout', 'user')
  @ApiOperation({ summary: 'Revoke a refresh token and its family' })
  @ApiNoContentResponse({ description: 'Logged out' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }

  @Authenticated()
  @Get('me')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'The caller, with role and permissions' })
  @ApiEnvelope(MeDto)
  @ApiErrors(ErrorCode.UNAUTHENTICATED)
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    const user = await this.users.get(principal.userId);
    return Object.assign(new MeDto(), UserDto.from(user), { permissions: [...principal.permissions] });
  }

  @Authenticated()
  @Post('mfa/setup')
  @HttpCode(200)
  @AuditAction('auth.mfa_setup', 'user')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Start TOTP enrolment: a new secret, effective once enabled with a code' })
  @ApiEnvelope(MfaSetupDto)
  @ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.INVALID_STATE)
  mfaSetup(@CurrentPrincipal() principal: Principal): Promise<MfaSetupDto> {
    requireUser(principal);
    return this.auth.mfaSetup(principal.userId);
  }

  @Authenticated()
  @Post('mfa/enable')
  @HttpCode(200)
  @AuditAction('auth.mfa_enable', 'user')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Enable MFA with a valid code' })
  @ApiEnvelope(MfaStatusDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHENTICATED, ErrorCode.MFA_REQUIRED, ErrorCode.INVALID_STATE)
  async mfaEnable(@CurrentPrincipal() principal: Principal, @Body() body: MfaCodeDto): Promise<MfaStatusDto> {
    requireUser(principal);
    await this.auth.mfaEnable(principal.userId, body.code);
    return { mfaEnabled: true };
  }

  @Authenticated()
  @Post('mfa/disable')
  @HttpCode(200)
  @AuditAction('auth.mfa_disable', 'user')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Disable MFA with a valid code' })
  @ApiEnvelope(MfaStatusDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHENTICATED, ErrorCode.MFA_REQUIRED, ErrorCode.INVALID_STATE)
  async mfaDisable(@CurrentPrincipal() principal: Principal, @Body() body: MfaCodeDto): Promise<MfaStatusDto> {
    requireUser(principal);
    await this.auth.mfaDisable(principal.userId, body.code);
    return { mfaEnabled: false };
  }
}
