import { Alert, Anchor, Button, Group, List, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { components } from '../../api/schema';
import { useMe } from '../../app/session';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';
import { TimeAgo } from '../../components/TimeAgo';
import { boardModeText, boardUrl, canOpenBoard, depthRows } from './board';
import './queues.css';

type BoardSession = components['schemas']['BoardSessionDto'];

/** Jobs of the task queue per state, for those who may read the system (`system:read`). */
function QueueDepth() {
  const stats = useQuery({
    queryKey: queryKeys.stats({ view: 'queue-depth' }),
    queryFn: async () => unwrap(await api.GET('/api/v1/stats')),
    refetchInterval: 10_000,
  });
  return (
    <section aria-labelledby="depth-title">
      <Title order={2} size="h4" id="depth-title" mb="xs">
        Task queue now
      </Title>
      {stats.isPending ? (
        <Skeleton role="progressbar" height={72} aria-label="Loading queue depth" />
      ) : stats.isError ? (
        <ErrorState title="Could not load the queue depth" error={stats.error} onRetry={() => void stats.refetch()} />
      ) : !stats.data.queue ? (
        <Text c="dimmed">The queue depth is not available to you.</Text>
      ) : (
        <dl className="queue-depth">
          {depthRows(stats.data.queue).map(({ state, label, count }) => (
            <div key={state} className="queue-depth-item" data-state={state}>
              <dt>{label}</dt>
              <dd>{count}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

/**
 * The Bull Board at /admin/queues authenticates a browser with a short-lived, HttpOnly board cookie scoped to
 * its path. "Open queue board" asks the API for it, then goes there in this tab: a top-level navigation of the
 * same origin carries the SameSite=Strict cookie, and no pop-up blocker stands in the way (a new tab opened
 * after the request is no longer part of the click). Coming back, the console restores the session from its
 * refresh cookie.
 */
function QueueBoard() {
  const me = useMe();
  const [session, setSession] = useState<BoardSession | null>(null);
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [closed, setClosed] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);

  const open = async () => {
    setOpening(true);
    setError(null);
    setClosed(null);
    try {
      const opened = unwrap(await api.POST('/api/v1/queues/board-session'));
      setSession(opened);
      window.location.assign(boardUrl(opened.path));
    } catch (err) {
      setError(err);
      setOpening(false);
    }
  };

  const close = async () => {
    setClosing(true);
    setError(null);
    try {
      const result = await api.DELETE('/api/v1/queues/board-session');
      if (!result.response.ok) throw toApiError(result.error, result.response);
      setSession(null);
      setClosed('The board session of this browser is closed: the queue board asks for a new one.');
    } catch (err) {
      setError(err);
    } finally {
      setClosing(false);
    }
  };

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="board-title">
      <Stack gap="sm" align="flex-start">
        <Title order={2} size="h4" id="board-title">
          Queue board
        </Title>
        <Text maw={720}>
          The queue board (Bull Board) shows the task queue job by job: what is waiting, active, delayed, completed or
          failed, with each job’s data, attempts, logs and error.
        </Text>
        <List size="sm" maw={720} spacing={4}>
          <List.Item>
            It opens in this tab with a board session of 10 minutes for this browser; come back with your browser’s Back
            button.
          </List.Item>
          <List.Item>
            Admins get it writable (retry, promote, clean, pause; every change is audited); anyone else holding
            queues:manage gets it read-only. {me.role === 'admin' ? 'As an admin, yours is writable.' : ''}
          </List.Item>
          <List.Item>
            “End board session” clears the board cookie from this browser at once, for instance on a shared computer.
          </List.Item>
        </List>
        {error !== null && <ErrorState title="Could not open the queue board" error={error} />}
        {session && (
          <Alert color="blue" variant="light" role="status" title="Opening the queue board…">
            {boardModeText(session.readOnly)} The board session ends <TimeAgo value={session.expiresAt} />.
          </Alert>
        )}
        {closed && (
          <Alert color="green" variant="light" role="status">
            {closed}
          </Alert>
        )}
        <Group>
          <Button loading={opening} onClick={() => void open()}>
            Open queue board
          </Button>
          <Button variant="default" loading={closing} onClick={() => void close()}>
            End board session
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** `/queues`: the task queue's depth and the way into the queue board, for those who may use it. */
export function QueuesPage() {
  const me = useMe();
  const showDepth = me.permissions.includes('system:read') && me.permissions.includes('tasks:read');
  return (
    <Stack maw={960}>
      <PageTitle>Queues</PageTitle>
      {showDepth && <QueueDepth />}
      {canOpenBoard(me.permissions) ? (
        <QueueBoard />
      ) : (
        <Alert color="gray" variant="light" title="Queue board">
          The queue board needs the queues:manage permission. Your role ({me.role}) does not have it: admins do. Your
          tasks and their states are on the{' '}
          <Anchor component={Link} to="/tasks">
            Tasks
          </Anchor>{' '}
          page.
        </Alert>
      )}
    </Stack>
  );
}
