import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';

export class AgentNotFoundError extends NotFoundError {
  constructor() {
    super('Agent');
  }
}

export class UnknownAgentTypeError extends ValidationFailedError {
  constructor(name: string, known: string[]) {
    super([{ field: '/type', message: `must be one of ${known.join(', ')}` }], `Unknown agent type "${name}"`);
  }
}

export class AgentNameTakenError extends ConflictError {
  constructor() {
    super('An agent with this name already exists', [
      { field: '/name', message: 'An agent with this name already exists' },
    ]);
  }
}

export class ConfigVersionNotFoundError extends AppError {
  constructor(version: number) {
    super(ErrorCode.NOT_FOUND, `Config version ${version} not found`);
  }
}

/** Agents are shared for reading and use; changing one is for its creator or an admin. */
export class AgentChangeForbiddenError extends ForbiddenError {
  constructor() {
    super('Only its creator or an admin can change this agent');
  }
}
