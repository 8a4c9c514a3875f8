import { AppError, ConflictError, InvalidStateError, NotFoundError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';

export class TaskNotFoundError extends NotFoundError {
  constructor() {
    super('Task');
  }
}

export class AgentUnavailableError extends ConflictError {
  constructor() {
    super('The agent has been deleted and takes no new tasks');
  }
}

export class TaskNotCancellableError extends InvalidStateError {
  constructor(status: string) {
    super(`A ${status} task cannot be cancelled`);
  }
}

export class TaskNotRetryableError extends InvalidStateError {
  constructor(status: string) {
    super(`Only failed, cancelled or expired tasks can be retried; this one is ${status}`);
  }
}

/**
 * A workflow run's step task is run again by its run's retry, which takes the new outcome in and runs the steps
 * after it: retried alone, its outcome would never reach the run.
 */
export class StepTaskNotRetryableError extends InvalidStateError {
  constructor(runId: string, stepId: string | null) {
    super(
      `This task is step ${stepId ?? '?'} of workflow run ${runId}: retry the run instead ` +
        `(POST /api/v1/workflow-runs/${runId}/retry)`,
    );
  }
}

export class IdempotencyConflictError extends AppError {
  /**
   * `header`: what carried the key (`webhook-id` for a signed inbound hook call); `other`: what differed, when
   * not the body (a run of another workflow).
   */
  constructor(header = 'Idempotency-Key', other = 'a different request body') {
    super(ErrorCode.IDEMPOTENCY_CONFLICT, `This ${header} was used with ${other}`);
  }
}

export class IdempotencyInProgressError extends AppError {
  constructor() {
    super(ErrorCode.CONFLICT, 'A request with this Idempotency-Key is still being processed');
  }
}
