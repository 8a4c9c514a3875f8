import { useQueryClient } from '@tanstack/react-query';
import { type Subscription, useLiveEvents } from '../../app/live-events';
import { applyTaskEvents, catchUpTasks } from './task-api';
import { applyOutputDeltas } from './task-output';

/**
 * Writes the live events of its subscriptions (an agent's tasks, several agents', or one task) into the
 * query cache: task changes, and (a task's room only) the output of its running attempt as it is produced.
 * Once the server has acknowledged the subscription, what it covers is read again (see catchUpTasks).
 */
export function LiveTasks({ subscription }: { subscription: Subscription | readonly Subscription[] }) {
  const queryClient = useQueryClient();
  useLiveEvents(
    subscription,
    (events) => {
      applyTaskEvents(queryClient, events);
      applyOutputDeltas(queryClient, events);
    },
    (subjects) => catchUpTasks(queryClient, subjects),
  );
  return null;
}
