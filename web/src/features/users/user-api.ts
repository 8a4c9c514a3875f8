import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';

export type User = components['schemas']['UserDto'];
export type Role = User['role'];
export type NewUser = components['schemas']['CreateUserDto'];
export type UserChanges = components['schemas']['UpdateUserDto'];

export interface UserPage {
  items: User[];
  total: number;
}

export interface UserListParams {
  [key: string]: string | number | undefined;
  skip: number;
  limit: number;
  role?: Role;
}

/** A page of users, newest first (`users:manage`). */
export const usersQuery = (params: UserListParams) =>
  queryOptions({
    queryKey: queryKeys.users.list(params),
    queryFn: async (): Promise<UserPage> => {
      const result = await api.GET('/api/v1/users', { params: { query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: keepPreviousData,
  });

export async function createUser(body: NewUser): Promise<User> {
  return unwrap(await api.POST('/api/v1/users', { body }));
}

export async function updateUser(id: string, body: UserChanges): Promise<User> {
  return unwrap(await api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body }));
}

/** 204 on success: there is no envelope to unwrap. */
export async function setUserPassword(id: string, password: string): Promise<void> {
  const result = await api.POST('/api/v1/users/{id}/password', { params: { path: { id } }, body: { password } });
  if (!result.response.ok) throw toApiError(result.error, result.response);
}
