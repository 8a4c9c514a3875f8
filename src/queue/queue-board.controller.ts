import { Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOperation,
  ApiProperty,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import { QUEUE_BOARD_WRITERS } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { TokenService } from '../auth/token.service';
import { ForbiddenError, UnauthenticatedError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../users/users.service';
import { BOARD_COOKIE, BOARD_SESSION_TTL_SECONDS, BoardSessions } from './board-sessions';
import { QUEUE_BOARD_PATH } from './queue-board-path';

export class BoardSessionDto {
  @ApiProperty({ format: 'date-time' }) expiresAt!: Date;
  @ApiProperty({ example: QUEUE_BOARD_PATH, description: 'Where the board is; the cookie is sent there only' })
  path!: string;
  @ApiProperty({ description: 'True when the board is read-only for this user (not an admin)' }) readOnly!: boolean;
}

@ApiTags('queues')
@ApiBearerAuth('bearer')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@RequirePermissions('queues:manage')
@Controller('queues')
export class QueueBoardController {
  private readonly cookie: { httpOnly: true; secure: boolean; sameSite: 'strict'; path: string };

  constructor(
    private readonly sessions: BoardSessions,
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const secure = config.env !== 'development' && config.env !== 'test';
    this.cookie = { httpOnly: true, secure, sameSite: 'strict', path: QUEUE_BOARD_PATH };
  }

  @Post('board-session')
  @HttpCode(200)
  @AuditAction('queue.board_session', 'user')
  @ApiOperation({
    operationId: 'openQueueBoardSession',
    summary: `Open the queue board in this browser: a signed ${BOARD_SESSION_TTL_SECONDS / 60}-minute cookie for ${QUEUE_BOARD_PATH}, bound to the user (signed-in users, not API keys)`,
    description:
      "The cookie is refused (401 `UNAUTHENTICATED`) before it expires once its user is deactivated or has their password or role changed, and once the login of the access token that opened it ends (logout, or its refresh tokens revoked for a reused one); the user's other logins keep theirs.",
  })
  @ApiResponse({
    status: 200,
    description: 'The board cookie',
    headers: {
      'Set-Cookie': {
        description: `${BOARD_COOKIE}=<signed session>; Path=${QUEUE_BOARD_PATH}; Max-Age=${BOARD_SESSION_TTL_SECONDS}; HttpOnly; SameSite=Strict; Secure outside NODE_ENV development and test`,
        schema: { type: 'string' },
      },
    },
  })
  @ApiEnvelope(BoardSessionDto)
  async open(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    // Nothing is stored: the entry is written as the cookie is sent.
    @RequestAuditContext() _audit: AuditRequestContext,
  ): Promise<BoardSessionDto> {
    if (principal.type !== 'user') throw new ForbiddenError('A board session is for a signed-in user, not an API key');
    const user = await this.users.authState(principal.userId);
    if (!user?.isActive) throw new UnauthenticatedError();
    // The cookie ends with the login of the access token that opened it (a token without `sid` names none).
    const session = this.sessions.issue(user.id, user.tokenVersion, this.tokens.claimsOf(req)?.sid);
    res.cookie(BOARD_COOKIE, session.value, { ...this.cookie, maxAge: BOARD_SESSION_TTL_SECONDS * 1000 });
    return { expiresAt: session.expiresAt, path: QUEUE_BOARD_PATH, readOnly: !QUEUE_BOARD_WRITERS.has(user.role) };
  }

  @Delete('board-session')
  @HttpCode(204)
  @AuditAction('queue.board_session_end', 'user')
  @ApiSecurity('apiKey')
  @ApiOperation({
    operationId: 'closeQueueBoardSession',
    summary: 'Clear the queue board cookie of this browser',
    description:
      'Takes a Bearer token or an API key: clearing a cookie grants nothing, so a key (which opens no session) is answered the same 204.',
  })
  @ApiNoContentResponse({ description: `Set-Cookie clears ${BOARD_COOKIE}` })
  close(@Res({ passthrough: true }) res: Response, @RequestAuditContext() _audit: AuditRequestContext): void {
    res.clearCookie(BOARD_COOKIE, this.cookie);
  }
}
