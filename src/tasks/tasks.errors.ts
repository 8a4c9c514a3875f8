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

export class IdempotencyConflictError extends AppError {
  constructor() {
    super(ErrorCode.IDEMPOTENCY_CONFLICT, 'This Idempotency-Key was used with a different request body');
  }
}

export class IdempotencyInProgressError extends AppError {
  constructor() {
    super(ErrorCode.CONFLICT, 'A request with this Idempotency-Key is still being processed');
  }
}
