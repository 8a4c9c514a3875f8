import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useMe } from '../../app/session';
import {
  type CreateWebhookBody,
  type CreatedWebhook,
  type Delivery,
  type UpdateWebhookBody,
  type Webhook,
  hasPending,
} from './webhook-helpers';

export interface Page<T> {
  items: T[];
  total: number;
}

export const webhookListQuery = (params: { skip: number; limit: number }) =>
  queryOptions({
    queryKey: queryKeys.webhooks.list(params),
    queryFn: async (): Promise<Page<Webhook>> => {
      const result = await api.GET('/api/v1/webhooks', { params: { query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
  });

export const webhookQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.webhooks.detail(id),
    queryFn: async (): Promise<Webhook> => unwrap(await api.GET('/api/v1/webhooks/{id}', { params: { path: { id } } })),
  });

/**
 * An endpoint's delivery log, newest first. While a delivery is pending (being sent, or waiting for its next
 * attempt) the page reads it again every few seconds; once all have concluded it stops.
 */
export const deliveriesQuery = (id: string, params: { skip: number; limit: number }) =>
  queryOptions({
    queryKey: queryKeys.webhooks.deliveries(id, params),
    queryFn: async (): Promise<Page<Delivery>> => {
      const result = await api.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
    refetchInterval: (query) => (query.state.data && hasPending(query.state.data.items) ? 3000 : false),
  });

export async function createWebhook(body: CreateWebhookBody): Promise<CreatedWebhook> {
  return unwrap(await api.POST('/api/v1/webhooks', { body }));
}

export async function updateWebhook(id: string, body: UpdateWebhookBody): Promise<Webhook> {
  return unwrap(await api.PATCH('/api/v1/webhooks/{id}', { params: { path: { id } }, body }));
}

export async function deleteWebhook(id: string): Promise<void> {
  const result = await api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } });
  if (!result.response.ok) throw toApiError(result.error, result.response);
}

export async function redeliver(id: string, deliveryId: string): Promise<Delivery> {
  return unwrap(
    await api.POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', {
      params: { path: { id, deliveryId } },
    }),
  );
}

/** Why the signed-in user may not create, change, enable, delete or redeliver, or null when they may. */
export function useWebhooksWriteBlocked(): string | null {
  const me = useMe();
  return me.permissions.includes('webhooks:write') ? null : 'Your role may not do this (needs webhooks:write)';
}
