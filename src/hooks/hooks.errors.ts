import { AppError, InvalidStateError, UnauthenticatedError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';

/** An unknown hook and a wrong secret read the same: a caller learns nothing about which hooks exist. */
export class HookCredentialsError extends UnauthenticatedError {
  constructor() {
    super('The hook or its credentials are not valid');
  }
}

export class HookDisabledError extends InvalidStateError {
  constructor() {
    super('The hook is disabled');
  }
}

export class HookRateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    const seconds = Math.max(1, retryAfterSeconds);
    super(ErrorCode.RATE_LIMITED, `Too many calls of this hook; retry in ${seconds} s`, undefined, {
      'Retry-After': String(seconds),
    });
  }
}
