import { useQueryClient } from '@tanstack/react-query';
import { type Subscription, useLiveEvents } from '../../app/live-events';
import { applyTaskEvents } from './task-api';

/**
 * Writes the live events of its subscriptions (an agent's tasks, several agents', or one task) into the
 * query cache.
 */
export function LiveTasks({ subscription }: { subscription: Subscription | readonly Subscription[] }) {
  const queryClient = useQueryClient();
  useLiveEvents(subscription, (events) => applyTaskEvents(queryClient, events));
  return null;
}
