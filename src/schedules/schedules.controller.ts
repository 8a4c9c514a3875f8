import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { PageQueryDto } from '../common/http/page-query.dto';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { CreateScheduleDto, ScheduleDto, UpdateScheduleDto } from './dto/schedule.dto';
import { ScheduleFireDto, ScheduleQueryDto } from './dto/schedule-query.dto';
import { type ScheduleView, SchedulesService } from './schedules.service';

const dto = ({ schedule, nextFires, targetDeleted }: ScheduleView): ScheduleDto =>
  ScheduleDto.from(schedule, nextFires, targetDeleted);

@ApiTags('schedules')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post()
  @RequirePermissions('schedules:write')
  @AuditAction('schedule.create', 'schedule')
  @ApiOperation({
    operationId: 'createSchedule',
    summary: 'Start a task or a workflow run on a cron pattern or a period',
    description:
      'A target agent that was deleted → 409 CONFLICT, as for a task, and a workflow with a task step whose agent was deleted, as for its run; so does one schedule more than SCHEDULES_PER_USER (1000 by default) allows a user.',
  })
  @ApiEnvelope(ScheduleDto, { status: 201 })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateScheduleDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<ScheduleDto> {
    return dto(await this.schedules.create(principal, body, audit));
  }

  @Get()
  @RequirePermissions('schedules:read')
  @ApiOperation({ operationId: 'listSchedules', summary: 'Your schedules, newest first (admins: everyone’s)' })
  @ApiEnvelope(ScheduleDto, { list: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ScheduleQueryDto): Promise<Page<ScheduleDto>> {
    const { skip, limit, ...filter } = query;
    const page = await this.schedules.list(principal, skip, limit, filter);
    return new Page(page.items.map(dto), page.total, page.skip, page.limit);
  }

  @Get(':id/fires')
  @RequirePermissions('schedules:read')
  @ApiOperation({
    operationId: 'listScheduleFires',
    summary: 'A schedule’s handled fires, latest first: what each started, or why it started nothing',
  })
  @ApiEnvelope(ScheduleFireDto, { list: true })
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED)
  async fires(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ScheduleFireDto>> {
    const page = await this.schedules.fires(principal, id, query.skip, query.limit);
    return new Page(
      page.items.map((f) => ScheduleFireDto.from(f)),
      page.total,
      page.skip,
      page.limit,
    );
  }

  @Get(':id')
  @RequirePermissions('schedules:read')
  @ApiOperation({ operationId: 'getSchedule', summary: 'A schedule with its next 5 fire times' })
  @ApiEnvelope(ScheduleDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ScheduleDto> {
    return dto(await this.schedules.get(principal, id));
  }

  @Patch(':id')
  @RequirePermissions('schedules:write')
  @AuditAction('schedule.update', 'schedule')
  @ApiOperation({
    operationId: 'updateSchedule',
    summary: 'Change a schedule; `paused: true` stops its fires at once, resuming fires from now on',
    description:
      'The target is checked again when it changes or the schedule is resumed: an agent that was deleted, or a workflow with a task step whose agent was deleted → 409 CONFLICT.',
  })
  @ApiEnvelope(ScheduleDto)
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT)
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: UpdateScheduleDto,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<ScheduleDto> {
    return dto(await this.schedules.update(principal, id, body, audit));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('schedules:write')
  @AuditAction('schedule.delete', 'schedule')
  @ApiOperation({ operationId: 'deleteSchedule', summary: 'Delete a schedule; what it started stays' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    await this.schedules.delete(principal, id, audit);
  }
}
