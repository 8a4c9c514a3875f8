import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags, ApiSecurity } from '@nestjs/swagger';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { CreateUserDto, SetPasswordDto, UpdateUserDto, UserDto, UserQueryDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@RequirePermissions('users:manage')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: 'List users (admins)' })
  @ApiEnvelope(UserDto, { list: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async list(@Query() query: UserQueryDto): Promise<Page<UserDto>> {
    const page = await this.users.list(query);
    return new Page(page.items.map(UserDto.from), page.total, page.skip, page.limit);
  }

  @Post()
  @AuditAction('user.create', 'user')
  @ApiOperation({
    operationId: 'createUser',
    summary: 'Create a user with a role (admins)',
    description:
      'For a signed-in admin only: from an API key (it would set a password that outlives the key), 403 FORBIDDEN.',
  })
  @ApiEnvelope(UserDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT)
  async create(
    @Body() body: CreateUserDto,
    @CurrentPrincipal() principal: Principal,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.create(body, 'user.create', audit, principal));
  }

  @Post(':id/password')
  @HttpCode(204)
  @AuditAction('user.password_reset', 'user')
  @ApiOperation({
    operationId: 'setUserPassword',
    summary:
      "Set a user's password (admins); their refresh tokens are revoked and access tokens issued before stop working",
    description: 'For a signed-in admin only: from an API key, 403 FORBIDDEN.',
  })
  @ApiNoContentResponse({ description: 'Password set' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND)
  async setPassword(
    @IdParam() id: string,
    @Body() body: SetPasswordDto,
    @CurrentPrincipal() principal: Principal,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    await this.users.resetPassword(id, body.password, audit, principal);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUser', summary: 'One user (admins)' })
  @ApiEnvelope(UserDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@IdParam() id: string): Promise<UserDto> {
    return UserDto.from(await this.users.get(id));
  }

  @Patch(':id')
  @AuditAction('user.update', 'user')
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Rename, change role or (de)activate a user; role changes and deactivation apply at once',
    description:
      'An admin cannot demote or deactivate themself, and the last active admin cannot be demoted or deactivated (409 CONFLICT). ' +
      'Making, demoting or deactivating an admin takes a signed-in admin: from an API key, 403 FORBIDDEN.',
  })
  @ApiEnvelope(UserDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT)
  async update(
    @IdParam() id: string,
    @Body() body: UpdateUserDto,
    @CurrentPrincipal() principal: Principal,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<UserDto> {
    // An admin's API key acts for that admin: it may not demote or deactivate them either.
    return UserDto.from(await this.users.update(id, body, principal, audit));
  }
}
