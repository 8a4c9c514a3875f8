import { AppError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';

/** Templates are no longer evaluated here because the process is stopping; the run is advanced later. */
export class TemplateEvaluatorClosedError extends AppError {
  constructor() {
    super(ErrorCode.SERVICE_UNAVAILABLE, 'The service is shutting down; try again');
  }
}
