import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';

/** Templates are no longer evaluated here because the process is stopping; the run is advanced later. */
export class TemplateEvaluatorClosedError extends AppError {
  constructor() {
    super(ErrorCode.SERVICE_UNAVAILABLE, 'The service is shutting down; try again');
  }
}

/** Workflows are shared for reading and running; changing one is for its creator or an admin. */
export class WorkflowChangeForbiddenError extends ForbiddenError {
  constructor() {
    super('Only its creator or an admin can change this workflow');
  }
}

/** No live workflow has the id (it never existed, or it was deleted): 404 `NOT_FOUND` "Workflow not found". */
export class WorkflowNotFoundError extends NotFoundError {
  constructor() {
    super('Workflow');
  }
}

/** A run would reach a step whose agent was deleted since the workflow was saved: refused before any step runs. */
export class WorkflowAgentDeletedError extends ConflictError {
  /** `stepIds`: the task steps whose agent was deleted, in the workflow's order. */
  constructor(readonly stepIds: readonly string[]) {
    super(
      `The agent of step${stepIds.length > 1 ? 's' : ''} ${stepIds.join(', ')} has been deleted: change the workflow before running it`,
    );
  }
}
