import { whereClause } from '../../database/where-clause';

/** Which tasks a list or a bulk operation reaches; `createdBy` limits it to one user's. */
export interface TaskFilter {
  createdBy?: string;
  status?: string;
  /** Any of these statuses (a bulk operation's: those its action applies to). */
  statuses?: readonly string[];
  agentId?: string;
  /** Tasks whose error has this code (failed and cancelled ones). */
  errorCode?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  /** Tasks carrying this tag. */
  tag?: string;
  /** Tasks whose metadata holds these values. */
  metadata?: Record<string, string>;
}

/** A filter as a WHERE clause on `tasks t` and its parameters, numbered from `$1` after `params` given. */
export function taskFilterClause(filter: TaskFilter, params: unknown[] = []): { where: string[]; params: unknown[] } {
  const { where, add } = whereClause(params);
  add('t.created_by = ?', filter.createdBy);
  add('t.status = ?', filter.status);
  add('t.status = ANY(?::varchar[])', filter.statuses);
  add('t.agent_id = ?', filter.agentId);
  add('t.error_code = ?', filter.errorCode);
  add('t.created_at >= ?', filter.createdAfter);
  add('t.created_at <= ?', filter.createdBefore);
  add('t.tags @> ARRAY[?]::varchar[]', filter.tag);
  add('t.metadata @> ?::jsonb', filter.metadata && JSON.stringify(filter.metadata));
  return { where, params };
}
