import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiNoContentResponse,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type AuditRequestContext, waiveAuditEntry } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { ValidationFailedError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { Public } from '../common/http/public.decorator';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { RateLimit } from '../throttling/rate-limit.decorator';
import { MeDto, UserDto } from '../users/user-view';
import { UsersService } from '../users/users.service';
import { Authenticated, CurrentPrincipal } from './auth.decorators';
import { AuthService } from './auth.service';
import {
  LoginDto,
  LogoutDto,
  MfaCodeDto,
  MfaDisableDto,
  MfaEnabledDto,
  MfaRecoveryCodesDto,
  MfaSetupDto,
  MfaStatusDto,
  RefreshDto,
  RegisterDto,
  TokenPairDto,
} from './dto/auth.dto';
import { requireSignedIn } from './auth.errors';
import { MfaService, secondFactorOf } from './mfa.service';
import type { Principal } from './principal';
import { CSRF_HEADER, CSRF_HEADER_VALUE, REFRESH_COOKIE, REFRESH_COOKIE_PATH, RefreshCookie } from './refresh-cookie';

const CSRF_HEADER_DOC = ApiHeader({
  name: CSRF_HEADER,
  required: false,
  description: `\`${CSRF_HEADER_VALUE}\`: required whenever the refresh cookie is read or set; without it such a request gets 403`,
});

const SETS_REFRESH_COOKIE = ApiResponse({
  status: 200,
  description: 'With useCookie (or a token read from the cookie), the refresh token is in Set-Cookie, not the body',
  headers: {
    'Set-Cookie': {
      description: `${REFRESH_COOKIE}=<refresh token>; Path=${REFRESH_COOKIE_PATH}; Max-Age=<JWT_REFRESH_TTL>; HttpOnly; SameSite=Strict; Secure outside NODE_ENV development and test`,
      schema: { type: 'string' },
    },
  },
});

/**
 * A refresh or logout that presents no token at all. It acted on nothing, so it is answered without an audit
 * entry (a token that does not work still gets one).
 */
function missingRefreshToken(audit: AuditRequestContext): ValidationFailedError {
  waiveAuditEntry(audit);
  return new ValidationFailedError([
    { field: '/refreshToken', message: 'is required, in the body or the refresh cookie' },
  ]);
}

@ApiTags('auth')
@ApiErrors(ErrorCode.RATE_LIMITED)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly users: UsersService,
    private readonly cookie: RefreshCookie,
  ) {}

  @Public()
  @Post('register')
  @AuditAction('auth.register', 'user')
  @ApiOperation({
    operationId: 'register',
    summary: 'Create an account (role viewer); off when AUTH_REGISTRATION=closed (its default in production)',
  })
  @ApiEnvelope(UserDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN)
  async register(@Body() body: RegisterDto, @RequestAuditContext() audit: AuditRequestContext): Promise<UserDto> {
    return UserDto.from(await this.auth.register(body, audit));
  }

  @Public()
  @RateLimit('login')
  @Post('login')
  @HttpCode(200)
  @AuditAction('auth.login', 'user')
  @ApiOperation({
    operationId: 'login',
    summary:
      'Exchange email and password (and, once MFA is enabled, a TOTP code or a recovery code) for tokens; 5 per minute per IP',
  })
  @CSRF_HEADER_DOC
  @SETS_REFRESH_COOKIE
  @ApiEnvelope(TokenPairDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHENTICATED, ErrorCode.MFA_REQUIRED, ErrorCode.FORBIDDEN)
  async login(
    @Body() body: LoginDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<TokenPairDto> {
    if (!body.useCookie) return this.auth.login(body, audit);
    this.cookie.requireCsrfHeader(req);
    return this.cookie.hand(res, await this.auth.login(body, audit));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @AuditAction('auth.refresh', 'user')
  @ApiOperation({
    operationId: 'refreshTokens',
    summary:
      'Rotate a refresh token (from the body, else from the refresh cookie); presenting a spent one revokes its whole family',
    description:
      'A spent refresh token presented again revokes its family and ends its login: the access tokens issued for that login are refused from then on, on every instance, and the live connections opened with them are closed.',
  })
  @CSRF_HEADER_DOC
  @SETS_REFRESH_COOKIE
  @ApiEnvelope(TokenPairDto)
  @ApiNoContentResponse({
    description: '`useCookie: true` with no token in the body or the cookie: no session to restore',
  })
  @ApiBody({ type: RefreshDto, required: false, description: 'May be left out when the token is in the cookie' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN)
  async refresh(
    @Body() body: RefreshDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<TokenPairDto | undefined> {
    const fromCookie = body.refreshToken === undefined;
    const presented = body.refreshToken ?? this.cookie.read(req);
    if (!presented && body.useCookie) {
      // A browser asking to restore its session with no cookie (a signed-out page load): there is none.
      waiveAuditEntry(audit);
      res.status(204);
      return undefined;
    }
    if (!presented) throw missingRefreshToken(audit);
    if (!fromCookie && !body.useCookie) return this.auth.refresh(presented, audit);
    this.cookie.requireCsrfHeader(req);
    try {
      return this.cookie.hand(res, await this.auth.refresh(presented, audit));
    } catch (err) {
      // A cookie that no longer works is of no use to keep.
      if (fromCookie) this.cookie.clear(res);
      throw err;
    }
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @AuditAction('auth.logout', 'user')
  @ApiOperation({
    operationId: 'logout',
    summary: 'Revoke a refresh token (from the body, else from the refresh cookie) and its family; clears the cookie',
    description:
      'Ends the login the refresh token belongs to: the access tokens issued for it (at sign-in and at each refresh) are refused at once, on every instance, with 401 `UNAUTHENTICATED`, the live connections opened with them (Socket.IO clients, event streams) are closed, and the queue board cookies opened with them are refused. Other logins of the same user go on.',
  })
  @CSRF_HEADER_DOC
  @ApiNoContentResponse({
    description: `Logged out; Set-Cookie clears ${REFRESH_COOKIE} when the token came from it`,
    headers: {
      'Set-Cookie': {
        description: `${REFRESH_COOKIE}=; Path=${REFRESH_COOKIE_PATH}; Expires=<past>`,
        schema: { type: 'string' },
      },
    },
  })
  @ApiBody({ type: LogoutDto, required: false, description: 'May be left out when the token is in the cookie' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.FORBIDDEN)
  async logout(
    @Body() body: LogoutDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    const fromCookie = body.refreshToken === undefined;
    const presented = body.refreshToken ?? this.cookie.read(req);
    if (!presented) throw missingRefreshToken(audit);
    if (fromCookie) {
      this.cookie.requireCsrfHeader(req);
      this.cookie.clear(res);
    }
    await this.auth.logout(presented, audit);
  }

  @Authenticated()
  @Get('me')
  @ApiBearerAuth('bearer')
  @ApiSecurity('apiKey')
  @ApiOperation({ operationId: 'getMe', summary: 'The caller, with role and permissions' })
  @ApiEnvelope(MeDto)
  @ApiErrors(ErrorCode.UNAUTHENTICATED)
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    const user = await this.users.get(principal.userId);
    return Object.assign(new MeDto(), UserDto.from(user), { permissions: [...principal.permissions] });
  }

  @Authenticated()
  @Get('mfa')
  @ApiBearerAuth('bearer')
  @ApiOperation({ operationId: 'getMfaStatus', summary: 'Whether MFA is on, and how many recovery codes are left' })
  @ApiEnvelope(MfaStatusDto)
  @ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN)
  mfaStatus(@CurrentPrincipal() principal: Principal): Promise<MfaStatusDto> {
    requireSignedIn(principal, 'Managing MFA');
    return this.mfa.status(principal.userId);
  }

  @Authenticated()
  @Post('mfa/setup')
  @HttpCode(200)
  @AuditAction('auth.mfa_setup', 'user')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    operationId: 'setupMfa',
    summary: 'Start TOTP enrolment: a new secret, effective once enabled with a code',
  })
  @ApiEnvelope(MfaSetupDto)
  @ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.INVALID_STATE)
  mfaSetup(
    @CurrentPrincipal() principal: Principal,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<MfaSetupDto> {
    requireSignedIn(principal, 'Managing MFA');
    return this.mfa.setup(principal.userId, audit);
  }

  @Authenticated()
  @Post('mfa/enable')
  @HttpCode(200)
  @AuditAction('auth.mfa_enable', 'user')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    operationId: 'enableMfa',
    summary: 'Enable MFA with a valid code; answers the recovery codes, shown this once',
  })
  @ApiEnvelope(MfaEnabledDto)
  @ApiErrors(
    ErrorCode.VALIDATION_FAILED,
    ErrorCode.UNAUTHENTICATED,
    ErrorCode.FORBIDDEN,
    ErrorCode.MFA_REQUIRED,
    ErrorCode.INVALID_STATE,
  )
  async mfaEnable(
    @CurrentPrincipal() principal: Principal,
    @Body() body: MfaCodeDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<MfaEnabledDto> {
    requireSignedIn(principal, 'Managing MFA');
    return { mfaEnabled: true, recoveryCodes: await this.mfa.enable(principal.userId, body.code, audit) };
  }

  @Authenticated()
  @Post('mfa/disable')
  @HttpCode(200)
  @AuditAction('auth.mfa_disable', 'user')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    operationId: 'disableMfa',
    summary: 'Disable MFA with a valid TOTP code or a recovery code; the recovery codes go too',
  })
  @ApiEnvelope(MfaStatusDto)
  @ApiErrors(
    ErrorCode.VALIDATION_FAILED,
    ErrorCode.UNAUTHENTICATED,
    ErrorCode.FORBIDDEN,
    ErrorCode.MFA_REQUIRED,
    ErrorCode.INVALID_STATE,
  )
  async mfaDisable(
    @CurrentPrincipal() principal: Principal,
    @Body() body: MfaDisableDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<MfaStatusDto> {
    requireSignedIn(principal, 'Managing MFA');
    const factor = secondFactorOf(body.code, body.recoveryCode);
    if (!factor) throw new ValidationFailedError([{ field: '/code', message: 'is required' }]);
    await this.mfa.disable(principal.userId, factor, audit);
    return { mfaEnabled: false, recoveryCodesRemaining: 0 };
  }

  @Authenticated()
  @Post('mfa/recovery-codes')
  @HttpCode(200)
  @AuditAction('auth.mfa_recovery_codes', 'user')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    operationId: 'regenerateMfaRecoveryCodes',
    summary: 'Replace the recovery codes, with a valid TOTP code; the new ones are shown this once',
  })
  @ApiEnvelope(MfaRecoveryCodesDto)
  @ApiErrors(
    ErrorCode.VALIDATION_FAILED,
    ErrorCode.UNAUTHENTICATED,
    ErrorCode.FORBIDDEN,
    ErrorCode.MFA_REQUIRED,
    ErrorCode.INVALID_STATE,
  )
  async mfaRecoveryCodes(
    @CurrentPrincipal() principal: Principal,
    @Body() body: MfaCodeDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<MfaRecoveryCodesDto> {
    requireSignedIn(principal, 'Managing MFA');
    return { recoveryCodes: await this.mfa.regenerateRecoveryCodes(principal.userId, body.code, audit) };
  }
}
