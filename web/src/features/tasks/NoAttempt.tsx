import { Anchor, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useMe } from '../../app/session';
import { TimeAgo } from '../../components/TimeAgo';
import { useNow } from '../../components/use-now';
import { REFRESH_MS, agentQuery, systemInfoQuery } from '../overview/stats-api';
import { FINAL, type Task } from './task-api';
import { type NoAttemptReason, endedWords, noAttemptReasons } from './waiting-reason';

function Reason({ reason, first }: { reason: NoAttemptReason; first: boolean }) {
  const lead = first ? 'No attempt yet: ' : '';
  switch (reason.kind) {
    case 'not-before':
      return (
        <Text>
          {lead}the task was sent to start no earlier than{' '}
          <time dateTime={new Date(reason.at).toISOString()}>{new Date(reason.at).toLocaleString()}</time> (
          <TimeAgo value={reason.at} />
          ); no worker takes it before then.
        </Text>
      );
    case 'agent-paused':
      return (
        <Text>
          {lead}agent{' '}
          <Anchor component={Link} to={`/agents/${reason.agentId}`}>
            {reason.agentName}
          </Anchor>{' '}
          is paused; the task waits until the agent is resumed.
        </Text>
      );
    case 'no-workers':
      return (
        <Text>
          {first ? 'No attempt yet: no' : 'No'} worker is running (none is connected to the task queue); the task waits
          until one starts (a process with APP_ROLE worker or all).
        </Text>
      );
    case 'ended':
      return <Text c="dimmed">No attempt: the task {endedWords(reason.status)} before a worker took it.</Text>;
    case 'waiting':
      return <Text c="dimmed">{lead}the task is waiting for a worker.</Text>;
  }
}

/**
 * A task without attempts says why: its start time still to come, its agent paused (with a link to it), no worker
 * running (for those who may read the system's state), or simply waiting; the agent and the workers are read
 * again while the page shows it.
 */
export function NoAttempt({ task }: { task: Task }) {
  const me = useMe();
  const waiting = !FINAL.includes(task.status);
  const agent = useQuery({ ...agentQuery(task.agentId), enabled: waiting, refetchInterval: REFRESH_MS });
  const info = useQuery(systemInfoQuery(waiting && me.permissions.includes('system:read')));
  const now = useNow();
  const reasons = noAttemptReasons(
    task.status,
    agent.data ?? null,
    info.data?.workers ?? null,
    task.nextAttemptAt,
    now,
  );
  return (
    <Stack gap={4}>
      {reasons.map((reason, i) => (
        <Reason key={reason.kind} reason={reason} first={i === 0} />
      ))}
    </Stack>
  );
}
