import { AppError, ValidationFailedError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';

export class FileTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, `The file is larger than the limit of ${maxBytes} bytes (FILE_MAX_BYTES)`);
  }
}

export class FileQuotaExceededError extends AppError {
  constructor(quotaBytes: number, usedBytes: number) {
    super(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `Your files would take more than your ${quotaBytes} bytes (FILE_QUOTA_BYTES); they take ${usedBytes} now: delete some first`,
    );
  }
}

export class FileEncodingUnsupportedError extends AppError {
  constructor(encoding: string) {
    super(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `Upload the file uncompressed: Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not accepted`,
    );
  }
}

export class FileTypeUnsupportedError extends AppError {
  constructor() {
    super(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      'Upload a file as application/x-ndjson (one JSON object per line) or application/json (an array of objects), in UTF-8',
    );
  }
}

/** What is wrong with a file's content, and where: the whole upload is refused. */
export class FileContentError extends ValidationFailedError {
  constructor(message: string, record?: number) {
    super([{ field: record === undefined ? '/' : `/${record}`, message }], `The file is not valid: ${message}`);
  }
}

export class FileUploadAbortedError extends AppError {
  constructor() {
    super(ErrorCode.BAD_REQUEST, 'The upload ended before the whole file arrived');
  }
}

/** FILES_DIR cannot be written (not mounted, read-only, no permission): files cannot be stored here. */
export class FileStorageUnavailableError extends AppError {
  constructor(reason: string) {
    super(ErrorCode.SERVICE_UNAVAILABLE, `File storage is not available (FILES_DIR: ${reason})`);
  }
}
