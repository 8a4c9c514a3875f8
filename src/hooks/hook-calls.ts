import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import { isIdInAnyCase } from '../common/http/ids';
import { AppError, ConflictError, ValidationFailedError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { type HookCallOutcome, Metrics } from '../metrics/metrics.service';
import { TaskSubmission } from '../tasks/task-submission';
import { IdempotencyConflictError } from '../tasks/tasks.errors';
import { signatureProblem } from '../webhooks/webhook-signature';
import { TemplateEvaluator } from '../workflows/template-evaluator';
import { TemplateError } from '../workflows/templates';
import { WorkflowNotFoundError } from '../workflows/workflows.errors';
import { UsersService } from '../users/users.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { RedisThrottlerStorage } from '../throttling/redis-throttler.storage';
import { bearerMatches } from './hook-secrets';
import { HookCredentialsError, HookDisabledError, HookRateLimitedError } from './hooks.errors';
import { type InboundHook, InboundHookRepository } from './persistence/inbound-hook.repository';

const MINUTE_MS = 60_000;
/** The longest `webhook-id` or `Idempotency-Key` a call may carry (it becomes part of an idempotency key). */
export const MAX_DELIVERY_ID_LENGTH = 200;
const DELIVERY_ID = new RegExp(`^[!-~]{1,${MAX_DELIVERY_ID_LENGTH}}$`);

/** One call of a hook as it arrived: the headers that matter and the body, raw (signatures) and parsed. */
export interface HookCall {
  webhookId?: string;
  webhookTimestamp?: string;
  webhookSignature?: string;
  authorization?: string;
  idempotencyKey?: string;
  rawBody: Buffer;
  body: unknown;
}

/** What a call started; `duplicate` when an earlier call with the same delivery id did. */
export type HookCallResult = ({ taskId: string } | { runId: string }) & { duplicate: boolean };

/**
 * Serves the public hook route: the hook's secret authenticates the call (an unknown hook and a wrong secret
 * are the same 401), then its own rate limit, then the body (through the hook's input template) becomes the
 * input of a task or run created as the hook's creator, once per delivery id (`webhook-id`, or a bearer
 * call's `Idempotency-Key`).
 */
@Injectable()
export class HookCalls {
  constructor(
    private readonly hooks: InboundHookRepository,
    private readonly cipher: SecretsCipher,
    @InjectThrottlerStorage() private readonly limiter: ThrottlerStorage,
    private readonly submission: TaskSubmission,
    @Inject(WorkflowsService) private readonly workflows: Pick<WorkflowsService, 'startOnce'>,
    private readonly templates: TemplateEvaluator,
    private readonly metrics: Metrics,
    @Inject(UsersService) private readonly users: Pick<UsersService, 'assertMayStill'>,
  ) {}

  async call(hookId: string, call: HookCall): Promise<HookCallResult> {
    let outcome: HookCallOutcome = 'error';
    try {
      const result = await this.serve(hookId, call);
      outcome = result.duplicate ? 'duplicate' : 'started';
      return result;
    } catch (err) {
      outcome = this.outcomeOf(err);
      throw err;
    } finally {
      this.metrics.hookCall(outcome);
    }
  }

  private async serve(hookId: string, call: HookCall): Promise<HookCallResult> {
    const hook = isIdInAnyCase(hookId) ? await this.hooks.findById(hookId) : undefined;
    if (!hook || !this.authenticated(hook, call)) throw new HookCredentialsError();
    // Counted per fixed minute, and judged against the hook's limit as it is now (no block that outlasts it): a
    // limit raised after a 429 lets the next call through.
    const limit = await this.limiter.increment(
      `hook:${hook.id}`,
      MINUTE_MS,
      hook.rateLimitPerMinute,
      RedisThrottlerStorage.NO_BLOCK,
      'hook',
    );
    if (limit.isBlocked) throw new HookRateLimitedError(limit.timeToExpire);
    if (!hook.enabled) throw new HookDisabledError();
    // The hook acts as its creator: only while they may do so themselves.
    await this.users.assertMayStill(hook.createdBy, hook.agentId ? 'tasks:write' : 'workflows:write');
    const deliveryId = hook.auth === 'hmac' ? call.webhookId : call.idempotencyKey;
    if (deliveryId !== undefined && !DELIVERY_ID.test(deliveryId)) {
      const header = hook.auth === 'hmac' ? 'webhook-id' : 'Idempotency-Key';
      throw new ValidationFailedError([
        { field: header, message: `must be 1-${MAX_DELIVERY_ID_LENGTH} visible ASCII characters` },
      ]);
    }
    const key = deliveryId === undefined ? undefined : `hook:${hook.id}:${deliveryId}`;
    const input = await this.inputOf(hook, call.body ?? {});
    try {
      return await this.start(hook, input, key);
    } catch (err) {
      // The caller sent a webhook-id, not an Idempotency-Key: the refusal names what it sent.
      if (err instanceof IdempotencyConflictError && hook.auth === 'hmac')
        throw new IdempotencyConflictError('webhook-id');
      // The hook is still there, its target is not: said as the agent's deletion is (409), not as a 404 of a URL
      // the caller holds.
      if (err instanceof WorkflowNotFoundError)
        throw new ConflictError('The hook’s workflow has been deleted and starts no new runs');
      throw err;
    }
  }

  /** The hook's task or run for `input`, once per idempotency `key`. */
  private async start(hook: InboundHook, input: unknown, key: string | undefined): Promise<HookCallResult> {
    const origin = { hookId: hook.id };
    if (hook.agentId) {
      const dto = { agentId: hook.agentId, input, metadata: { hookId: hook.id } };
      const { task, replayed } = await this.submission.submit(hook.createdBy, dto, key, undefined, origin);
      return { taskId: task.id, duplicate: replayed };
    }
    const { run, created } = await this.workflows.startOnce(
      hook.createdBy,
      hook.workflowId!,
      { input },
      // The key is the caller's delivery id: the same id with another input is refused (422), as for a task.
      { idempotencyKey: key, clientKey: key !== undefined, origin },
    );
    return { runId: run.id, duplicate: !created };
  }

  private authenticated(hook: InboundHook, call: HookCall): boolean {
    if (hook.auth === 'bearer') return bearerMatches(call.authorization, hook.tokenHash!);
    const problem = signatureProblem(this.cipher.decrypt(hook.secretSealed!), {
      id: call.webhookId,
      timestamp: call.webhookTimestamp,
      signature: call.webhookSignature,
      body: call.rawBody,
    });
    return problem === undefined;
  }

  /** The body, or the hook's template rendered over it; a template that fails on this body is a 400. */
  private async inputOf(hook: InboundHook, body: unknown): Promise<unknown> {
    if (hook.inputTemplate === null || hook.inputTemplate === undefined) return body;
    try {
      return await this.templates.render(hook.inputTemplate, { body }, hook.createdBy);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw new ValidationFailedError(
        [{ field: `/inputTemplate${err.path}`, message: err.detail }],
        "The hook's input template could not be applied to the body",
      );
    }
  }

  private outcomeOf(err: unknown): HookCallOutcome {
    if (!(err instanceof AppError)) return 'error';
    switch (err.code) {
      case ErrorCode.UNAUTHENTICATED:
        return 'unauthenticated';
      case ErrorCode.RATE_LIMITED:
        return 'rate_limited';
      case ErrorCode.INVALID_STATE:
        return 'disabled';
      // Its agent or workflow (or an agent of the workflow's steps) was deleted.
      case ErrorCode.CONFLICT:
        return 'target_deleted';
      case ErrorCode.FORBIDDEN:
        return 'forbidden';
      case ErrorCode.VALIDATION_FAILED:
      case ErrorCode.IDEMPOTENCY_CONFLICT:
        return 'invalid';
      default:
        return 'error';
    }
  }
}
