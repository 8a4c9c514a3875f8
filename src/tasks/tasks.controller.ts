import { ApiEventStream } from '../common/swagger/api-event-stream';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  type MessageEvent,
  Post,
  Query,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import { LiveSessions } from '../auth/live-sessions';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { ApiIdempotencyKey, checkedIdempotencyKey } from '../common/http/idempotency-key';
import { liveResourceStream } from '../common/http/sse';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import {
  CreateTaskBatchDto,
  CreateTaskDto,
  TaskAttemptDto,
  TaskDto,
  TaskListItemDto,
  TaskQueryDto,
} from './dto/task.dto';
import { FINAL_STATUSES } from './task';
import type { TaskOutputDelta } from '../events/event-bus';
import { TaskEventFanout, type TaskStreamEvent } from '../events/task-event-fanout';
import { taskEvent } from './task-event';
import { TaskSubmission } from './task-submission';
import { TasksService } from './tasks.service';
import { FileReads, type TaskStart } from '../agents/file-reads';

const FILE_TASK = 'A task that reads a file';

/** A batch element naming an agent (the batch checks every element itself, once this has passed). */
const isTaskStart = (element: unknown): element is TaskStart =>
  typeof element === 'object' && element !== null && typeof (element as { agentId?: unknown }).agentId === 'string';

@ApiTags('tasks')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly submission: TaskSubmission,
    private readonly fanout: TaskEventFanout,
    private readonly sessions: LiveSessions,
    private readonly fileReads: FileReads,
  ) {}

  @Post()
  @HttpCode(202)
  @RequirePermissions('tasks:write')
  @AuditAction('task.create', 'task')
  @ApiOperation({
    operationId: 'submitTask',
    summary: 'Submit a task',
    description:
      'The input is validated against the agent type before anything is queued. With `Idempotency-Key`, the same key and body within 24 h return the same task (200), even once a new one would be refused (its agent deleted); a different body → 422; while the first request is still in flight → 409.',
  })
  @ApiIdempotencyKey()
  @ApiEnvelope(TaskDto, { status: 202, description: 'Queued' })
  @ApiEnvelope(TaskDto, { status: 200, description: 'The task an earlier request with this Idempotency-Key created' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT, ErrorCode.IDEMPOTENCY_CONFLICT)
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateTaskDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<TaskDto> {
    await this.fileReads.assertMayRead(principal, [body], FILE_TASK);
    const { task, replayed } = await this.submission.submit(
      principal.userId,
      body,
      checkedIdempotencyKey(idempotencyKey),
      audit,
    );
    if (replayed) res.status(200);
    return TaskDto.from(task);
  }

  @Post('batch')
  @HttpCode(202)
  @RequirePermissions('tasks:write')
  @AuditAction('task.batch_create', 'task')
  @ApiOperation({
    operationId: 'submitTaskBatch',
    summary: 'Submit up to 1000 tasks, all or nothing',
    description:
      'With `Idempotency-Key`, the same key and body within 24 h return the same tasks (200), in order, even once ' +
      'new ones would be refused; a different ' +
      'body (or another request’s tasks under the key) → 422; while the first request is still in flight → 409.',
  })
  @ApiIdempotencyKey()
  @ApiEnvelope(TaskDto, { status: 202, array: true, description: 'Queued, in the order of the request' })
  @ApiEnvelope(TaskDto, { status: 200, array: true, description: 'The tasks an earlier request with this key created' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.CONFLICT, ErrorCode.IDEMPOTENCY_CONFLICT)
  async batch(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateTaskBatchDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<TaskDto[]> {
    await this.fileReads.assertMayRead(principal, body.tasks.filter(isTaskStart), FILE_TASK);
    const key = checkedIdempotencyKey(idempotencyKey);
    const { tasks, replayed } = await this.submission.submitBatch(principal, body.tasks, key, audit);
    if (replayed) res.status(200);
    return tasks.map(TaskDto.from);
  }

  @Get()
  @RequirePermissions('tasks:read')
  @ApiOperation({
    operationId: 'listTasks',
    summary: 'Your tasks (admins: everyone’s), newest first',
    description:
      '`meta.total` counts the matching tasks up to 10,000: exact below, and past it `total` is 10,000 with ' +
      '`meta.totalCapped` true (more match; the count stops there, so a list costs the same on a table of any ' +
      'size). Narrow the filters for an exact count. An input or output over 64 KiB as JSON is left out of the ' +
      'list (null, with `inputOmitted` or `outputOmitted` true); `GET /tasks/:id` has it whole.',
  })
  @ApiEnvelope(TaskListItemDto, { list: true, bounded: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: TaskQueryDto): Promise<Page<TaskListItemDto>> {
    const page = await this.tasks.list(principal, query);
    return new Page(page.items.map(TaskListItemDto.fromListed), page.total, page.skip, page.limit, page.bounded);
  }

  @Get(':id')
  @RequirePermissions('tasks:read')
  @ApiOperation({ operationId: 'getTask', summary: 'One task' })
  @ApiEnvelope(TaskDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<TaskDto> {
    return TaskDto.from(await this.tasks.get(principal, id));
  }

  @Get(':id/attempts')
  @RequirePermissions('tasks:read')
  @ApiOperation({ operationId: 'listTaskAttempts', summary: 'Every attempt of a task, oldest first' })
  @ApiEnvelope(TaskAttemptDto, { array: true })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async attempts(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<TaskAttemptDto[]> {
    const attempts = await this.tasks.attempts(principal, id);
    return attempts.map(({ attempt, status, startedAt, finishedAt, error, workerId, takenOverFrom }) => ({
      attempt,
      status,
      startedAt,
      finishedAt,
      error,
      workerId,
      takenOverFrom,
    }));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequirePermissions('tasks:write')
  @AuditAction('task.cancel', 'task')
  @ApiOperation({
    operationId: 'cancelTask',
    summary: 'Cancel a queued, retrying or running task (a running executor is aborted)',
  })
  @ApiEnvelope(TaskDto)
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE)
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<TaskDto> {
    return TaskDto.from(await this.tasks.cancel(principal, id, audit));
  }

  @Post(':id/retry')
  @HttpCode(202)
  @RequirePermissions('tasks:write')
  @AuditAction('task.retry', 'task')
  @ApiOperation({ operationId: 'retryTask', summary: 'Run a failed or cancelled task again' })
  @ApiEnvelope(TaskDto, { status: 202 })
  @ApiErrors(ErrorCode.NOT_FOUND, ErrorCode.INVALID_STATE, ErrorCode.CONFLICT)
  async retry(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<TaskDto> {
    await this.fileReads.assertMayRead(principal, async () => [await this.tasks.get(principal, id)], FILE_TASK);
    return TaskDto.from(await this.tasks.retry(principal, id, audit));
  }

  @Sse(':id/events')
  @RequirePermissions('tasks:read')
  @ApiOperation({
    operationId: 'streamTaskEvents',
    summary:
      'Server-Sent Events for one task (`event: task`, and `event: task.output.delta` while it runs); the stream ends after a final status',
  })
  @ApiEventStream(
    'text/event-stream of `task` events, the current state first, and of `task.output.delta` events {taskId, attempt, seq, delta}',
  )
  @ApiErrors(ErrorCode.NOT_FOUND)
  async stream(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Req() req: Request,
  ): Promise<Observable<MessageEvent>> {
    return this.sessions.stream(principal, req, async () => {
      await this.fanout.listening();
      const isDelta = (e: TaskStreamEvent): e is TaskOutputDelta => 'delta' in e;
      return liveResourceStream<TaskStreamEvent>(
        (e) => (isDelta(e) ? 'task.output.delta' : 'task'),
        this.fanout.followTask(id),
        async () => {
          const task = await this.tasks.get(principal, id);
          return taskEvent(task, task.updatedAt);
        },
        (e) => !isDelta(e) && (FINAL_STATUSES as readonly string[]).includes(e.status),
        this.fanout.resyncs(),
      );
    });
  }
}
