import { ERROR_STATUS, ErrorCode } from './error-code';

export interface ErrorDetail {
  /** JSON pointer into the request body (or the query parameter's name). */
  field: string;
  message: string;
}

/**
 * A domain error: services throw a subclass with a stable code; the exception filter turns it into the
 * contract's envelope and status. Messages are meant for clients and must not carry internals.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
    this.status = ERROR_STATUS[code];
  }
}

/** Details one refusal names at most; a request wrong in thousands of places gets a bounded answer. */
export const MAX_ERROR_DETAILS = 100;

export class ValidationFailedError extends AppError {
  constructor(details: ErrorDetail[], message = 'The request is invalid') {
    const more = details.length - MAX_ERROR_DETAILS;
    super(
      ErrorCode.VALIDATION_FAILED,
      message,
      more > 0
        ? [...details.slice(0, MAX_ERROR_DETAILS), { field: '', message: `and ${more} more problems like these` }]
        : details,
    );
  }
}

export class NotFoundError extends AppError {
  constructor(resource: string) {
    super(ErrorCode.NOT_FOUND, `${resource} not found`);
  }
}

export class ConflictError extends AppError {
  /** `details` name the fields the conflict is about, when it is about some (a name taken). */
  constructor(message: string, details?: ErrorDetail[]) {
    super(ErrorCode.CONFLICT, message, details);
  }
}

export class InvalidStateError extends AppError {
  constructor(message: string) {
    super(ErrorCode.INVALID_STATE, message);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do this') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

export class RequestTimeoutError extends AppError {
  constructor() {
    super(ErrorCode.TIMEOUT, 'The request took too long to answer; what it started may still complete');
  }
}
