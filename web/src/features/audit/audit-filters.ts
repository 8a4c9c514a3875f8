/**
 * The audit log's filters, as they live in the page's URL (so any view can be shared as a link) and as the
 * query `GET /api/v1/audit-logs` takes. Pure functions: the page and its unit spec share them.
 */
import { pageOfSearch } from '../../components/paging';

export const OUTCOMES = ['success', 'failure', 'denied'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const PAGE_SIZE = 50;

/** Every action the server records (the `action` filter is an exact match), offered as suggestions. */
export const KNOWN_ACTIONS = [
  'agent.config_rollback',
  'agent.config_update',
  'agent.create',
  'agent.delete',
  'agent.update',
  'apikey.create',
  'apikey.revoke',
  'auth.login',
  'auth.logout',
  'auth.mfa_disable',
  'auth.mfa_enable',
  'auth.mfa_recovery_code_used',
  'auth.mfa_recovery_codes',
  'auth.mfa_setup',
  'auth.refresh',
  'auth.refresh_reuse',
  'auth.register',
  'auth.unauthenticated',
  'permission.denied',
  'queue.board_session',
  'queue.board_session_end',
  'queue.board_write',
  'task.batch_create',
  'task.cancel',
  'task.create',
  'task.retry',
  'user.bootstrap_admin',
  'user.create',
  'user.create_admin_cli',
  'user.password_reset',
  'user.update',
  'workflow.create',
  'workflow.delete',
  'workflow.run',
  'workflow.update',
  'workflow_run.cancel',
] as const;

export interface AuditFilters {
  action?: string;
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: Outcome;
  /** ISO 8601 instants (UTC). */
  from?: string;
  to?: string;
  /** Leave out `auth.refresh` (each console page load writes one): `?hide=refreshes`. */
  hideRefreshes?: boolean;
  /** 1-based. */
  page: number;
}

/** The text filters: typed into a box, written to the URL a moment after typing stops. */
export const TEXT_FILTERS = ['action', 'actorId', 'resourceType', 'resourceId'] as const;
export type TextFilter = (typeof TEXT_FILTERS)[number];

/** The server's length limits on the text filters (a longer value would be refused as a whole). */
const MAX_LENGTH: Record<TextFilter, number> = { action: 100, actorId: 64, resourceType: 50, resourceId: 100 };

function text(params: URLSearchParams, key: TextFilter): string | undefined {
  const value = params.get(key)?.trim();
  return value ? value.slice(0, MAX_LENGTH[key]) : undefined;
}

function instant(value: string | null): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function isOutcome(value: string | null): value is Outcome {
  return OUTCOMES.includes(value as Outcome);
}

/** The filters a URL asks for; whatever is not understood (a bad date, an unknown outcome) is left out. */
export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const outcome = params.get('outcome');
  return {
    action: text(params, 'action'),
    actorId: text(params, 'actorId'),
    resourceType: text(params, 'resourceType'),
    resourceId: text(params, 'resourceId'),
    outcome: isOutcome(outcome) ? outcome : undefined,
    from: instant(params.get('from')),
    to: instant(params.get('to')),
    hideRefreshes: params.get('hide') === 'refreshes' || undefined,
    page: pageOfSearch(params),
  };
}

/** The URL's search params for these filters: only what is set, the first page left implicit. */
export function paramsFromFilters(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of [...TEXT_FILTERS, 'outcome', 'from', 'to'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  if (filters.hideRefreshes) params.set('hide', 'refreshes');
  if (filters.page > 1) params.set('page', String(filters.page));
  return params;
}

/** Changes some filters; any change but the page's goes back to the first page. */
export function withChanges(filters: AuditFilters, changes: Partial<AuditFilters>): AuditFilters {
  const next = { ...filters, ...changes };
  if (!('page' in changes)) next.page = 1;
  return next;
}

export function isFiltered(filters: AuditFilters): boolean {
  return Boolean(
    filters.action ||
    filters.actorId ||
    filters.resourceType ||
    filters.resourceId ||
    filters.outcome ||
    filters.from ||
    filters.to ||
    filters.hideRefreshes,
  );
}

export interface AuditQuery {
  [key: string]: string | number | undefined;
  skip: number;
  limit: number;
  action?: string;
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: Outcome;
  from?: string;
  to?: string;
  excludeAction?: string;
}

/** The query of `GET /api/v1/audit-logs` for these filters (only the keys that are set). */
export function apiQuery(filters: AuditFilters, pageSize = PAGE_SIZE): AuditQuery {
  const query: AuditQuery = { skip: (filters.page - 1) * pageSize, limit: pageSize };
  for (const key of [...TEXT_FILTERS, 'from', 'to'] as const) {
    const value = filters[key];
    if (value) query[key] = value;
  }
  if (filters.outcome) query.outcome = filters.outcome;
  if (filters.hideRefreshes) query.excludeAction = 'auth.refresh';
  return query;
}

/** "1,234–1,283 of 5,000": where this page is in the whole list; "of 10,000+" when the total is a lower bound. */
export function pageRange(page: number, total: number, pageSize = PAGE_SIZE, exact = true): string {
  const fmt = new Intl.NumberFormat('en');
  if (total === 0) return '0 entries';
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return `${fmt.format(first)}–${fmt.format(last)} of ${fmt.format(total)}${exact ? '' : '+'}`;
}
