/**
 * The Users page's pure logic: its filters in the URL, the server's refusals on the dialogs' fields, what an
 * admin may not do to their own account, and each action's result in words.
 */
import { ApiError, detailsOnFields } from '../../api/errors';
import type { FieldErrors } from '../../components/dialog-refusal';
import { pageOfSearch } from '../../components/paging';

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type UserRole = (typeof ROLES)[number];

export const USERS_PAGE_SIZE = 25;

export interface UserFilters {
  role?: UserRole;
  /** A text search in email and name. */
  q?: string;
  /** 1-based. */
  page: number;
}

export function isRole(value: unknown): value is UserRole {
  return ROLES.includes(value as UserRole);
}

export function userFiltersFromParams(params: URLSearchParams): UserFilters {
  const role = params.get('role');
  return {
    role: isRole(role) ? role : undefined,
    q: params.get('q') || undefined,
    page: pageOfSearch(params),
  };
}

export function paramsFromUserFilters(filters: UserFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.role) params.set('role', filters.role);
  if (filters.q) params.set('q', filters.q);
  if (filters.page > 1) params.set('page', String(filters.page));
  return params;
}

export function usersApiQuery(filters: UserFilters, pageSize = USERS_PAGE_SIZE) {
  return {
    skip: (filters.page - 1) * pageSize,
    limit: pageSize,
    ...(filters.role ? { role: filters.role } : {}),
    ...(filters.q ? { q: filters.q } : {}),
  };
}

/** "an admin", "an operator", "a viewer". */
export function withArticle(role: UserRole): string {
  return `${role === 'viewer' ? 'a' : 'an'} ${role}`;
}

export type UserField = 'email' | 'name' | 'password' | 'role';

const USER_FIELDS: readonly UserField[] = ['email', 'name', 'password', 'role'];

function codeAndRequest(error: ApiError): string {
  return error.requestId ? `${error.code}, request ${error.requestId}` : error.code;
}

/**
 * The server's refusal of a new user or a password on the dialog's fields: `details[].field` is a JSON pointer
 * (`/email`, also on a taken email's 409); one to anything else names no field of the form.
 */
export function userFieldsOf(details: ApiError['details']): FieldErrors<UserField> {
  return detailsOnFields(details, (pointer) => {
    const name = pointer?.replace(/^\//, '').split('/')[0] as UserField | undefined;
    return name && USER_FIELDS.includes(name) ? { field: name, rest: '' } : null;
  });
}

/** The New user dialog's form. */
export interface NewUserForm {
  email: string;
  name: string;
  password: string;
  role: UserRole;
}

export const EMPTY_NEW_USER: NewUserForm = { email: '', name: '', password: '', role: 'viewer' };

/** What closing the New user dialog would discard ("The new user"), or null when nothing was typed or chosen. */
export function newUserUnsaved(form: NewUserForm): string | null {
  const typed = form.email.trim() || form.name.trim() || form.password || form.role !== EMPTY_NEW_USER.role;
  return typed ? 'The new user' : null;
}

/** Why the signed-in admin may not do this to their own account from here, or undefined when they may. */
export function selfActionBlocked(meId: string, userId: string, action: 'role' | 'deactivate'): string | undefined {
  if (meId !== userId) return undefined;
  return action === 'role'
    ? 'You cannot change your own role: another admin can'
    : 'You cannot deactivate your own account: another admin can';
}

export interface Named {
  name: string;
  email: string;
}

const who = (user: Named) => `${user.name} (${user.email})`;

/** Each action's result, said once in the page's live region. */
export const resultInWords = {
  created: (user: Named & { role: UserRole }) => `${who(user)} was created as ${withArticle(user.role)}.`,
  roleChanged: (user: Named & { role: UserRole }) =>
    `${who(user)} is now ${withArticle(user.role)}. Their sessions were ended; they sign in again to use the new role.`,
  deactivated: (user: Named) =>
    `${who(user)} was deactivated: they can no longer sign in, and their sessions and API keys stopped working.`,
  reactivated: (user: Named) => `${who(user)} was reactivated and can sign in again.`,
  passwordSet: (user: Named) =>
    `The password of ${who(user)} was reset. Their sessions were ended; they sign in with the new password.`,
  failed: (what: string, error: unknown) => {
    const detail =
      error instanceof ApiError
        ? `${error.message} (${codeAndRequest(error)})`
        : error instanceof Error
          ? error.message
          : 'unknown error';
    return `${what} failed: ${detail}.`;
  },
};
