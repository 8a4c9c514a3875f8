import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { NoAudit } from '../audit/audit.decorator';
import { ErrorCode } from '../common/errors/error-code';
import { AcceptsAnyQuery } from '../common/http/declared-query.guard';
import { Public } from '../common/http/public.decorator';
import { ApiEnvelope, ApiErrors, JSON_OBJECT_SCHEMA } from '../common/swagger/api-envelope';
import { HookCallResultDto } from './dto/hook.dto';
import { HookCalls } from './hook-calls';
import { rawBodyOf } from './raw-body';

const header = (req: Request, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The public side of inbound hooks: no user token or API key, only the hook's own secret. The task or run it
 * starts carries its own audit entry (the platform as actor, the hook named).
 */
@ApiTags('hooks')
@Public()
@NoAudit()
// A sender's URL may carry its own parameters (a source, a tracking id): the call is judged by its secret.
@AcceptsAnyQuery()
@Controller('hooks')
export class HookCallsController {
  constructor(private readonly calls: HookCalls) {}

  @Post(':hookId')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'callHook',
    summary: 'Start the hook’s task or run with the JSON body as input',
    description:
      'Authenticated by the hook’s secret only. hmac hooks: Standard Webhooks headers `webhook-id`, ' +
      '`webhook-timestamp` (within 5 minutes of now) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of ' +
      '"<id>.<timestamp>.<raw body>">`). bearer hooks: `Authorization: Bearer <token>`, and optionally ' +
      '`Idempotency-Key`. The same `webhook-id` (or key) again starts nothing and answers 200 with the first ' +
      'task or run, `duplicate: true`. An unknown hook and a wrong secret are the same 401; a disabled hook ' +
      'is 409 `INVALID_STATE` (after a valid secret only).',
  })
  @ApiHeader({
    name: 'webhook-id',
    required: false,
    description: 'hmac hooks: the message id (1-200 visible ASCII characters)',
  })
  @ApiHeader({ name: 'webhook-timestamp', required: false, description: 'hmac hooks: Unix seconds' })
  @ApiHeader({ name: 'webhook-signature', required: false, description: 'hmac hooks: `v1,<base64>` (space-separated)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'bearer hooks: 1-200 visible ASCII characters' })
  @ApiBody({ schema: JSON_OBJECT_SCHEMA, required: false })
  @ApiEnvelope(HookCallResultDto, { status: 202, description: 'Started' })
  @ApiEnvelope(HookCallResultDto, { status: 200, description: 'Started by an earlier call with this webhook-id' })
  @ApiParam({
    name: 'hookId',
    type: String,
    format: 'uuid',
    description: 'The hook’s id; any other text is answered 401, as an id that names no hook or a wrong secret',
  })
  @ApiErrors(
    ErrorCode.UNAUTHENTICATED,
    ErrorCode.VALIDATION_FAILED,
    ErrorCode.INVALID_STATE,
    ErrorCode.CONFLICT,
    ErrorCode.FORBIDDEN,
    ErrorCode.IDEMPOTENCY_CONFLICT,
    ErrorCode.RATE_LIMITED,
    ErrorCode.PAYLOAD_TOO_LARGE,
  )
  async call(
    @Param('hookId') hookId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<HookCallResultDto> {
    const result = await this.calls.call(hookId, {
      webhookId: header(req, 'webhook-id'),
      webhookTimestamp: header(req, 'webhook-timestamp'),
      webhookSignature: header(req, 'webhook-signature'),
      authorization: header(req, 'authorization'),
      idempotencyKey: header(req, 'idempotency-key'),
      rawBody: rawBodyOf(req),
      body: req.body as unknown,
    });
    if (result.duplicate) res.status(200);
    return result;
  }
}
