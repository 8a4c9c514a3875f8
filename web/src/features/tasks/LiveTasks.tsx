import { useQueryClient } from '@tanstack/react-query';
import { type Subscription, useLiveEvents } from '../../app/live-events';
import { LivePausedNotice } from '../../components/LivePausedNotice';
import { applyTaskEvents, catchUpTasks } from './task-api';
import { applyOutputDeltas } from './task-output';

/**
 * Writes the live events of its subscriptions (an agent's tasks, several agents', or one task) into the
 * query cache: task changes, and (a task's room only) the output of its running attempt as it is produced.
 * Once the server has acknowledged the subscription, what it covers is read again (see catchUpTasks).
 * While live updates are paused (the connection lost, events missed), it says that `subject` ("The list",
 * "This task") may be out of date, where it is placed.
 */
export function LiveTasks({
  subscription,
  subject,
}: {
  subscription: Subscription | readonly Subscription[];
  subject: string;
}) {
  const queryClient = useQueryClient();
  const pause = useLiveEvents(
    subscription,
    (events) => {
      applyTaskEvents(queryClient, events);
      applyOutputDeltas(queryClient, events);
    },
    (subjects) => catchUpTasks(queryClient, subjects),
  );
  return <LivePausedNotice pause={pause} subject={subject} />;
}
