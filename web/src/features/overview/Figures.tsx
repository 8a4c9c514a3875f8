import { Anchor, Paper, Skeleton, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useId } from 'react';
import { Link } from 'react-router';
import { useMe } from '../../app/session';
import {
  QUEUE_STATES,
  type QueueDepth,
  failureSummary,
  formatCount,
  queueBacklog,
  workersDetail,
} from './overview-data';
import { type Stats, systemInfoQuery } from './stats-api';

/** One figure: what it is, the number, and a line of detail; a fixed height, so loading does not shift it. */
function Figure({ label, value, children }: { label: string; value: string; children?: ReactNode }) {
  const id = useId();
  return (
    <Paper withBorder radius="md" p="md" className="overview-figure" role="group" aria-labelledby={id}>
      <Text id={id} size="sm" fw={600} c="gray.8">
        {label}
      </Text>
      <Text className="overview-figure-value">{value}</Text>
      <div className="overview-figure-detail">{children}</div>
    </Paper>
  );
}

function QueueFigure({ queue }: { queue: QueueDepth | null }) {
  if (!queue) {
    return (
      <Figure label="Queue depth" value="—">
        <Text size="sm" c="gray.7">
          Needs the system:read permission (admins).
        </Text>
      </Figure>
    );
  }
  return (
    <Figure label="Queue depth" value={`${formatCount(queueBacklog(queue))} queued`}>
      <dl className="overview-queue" aria-label="Task queue jobs by state">
        {QUEUE_STATES.map((state) => (
          <div key={state}>
            <dt>{state}</dt>
            <dd>{formatCount(queue[state])}</dd>
          </div>
        ))}
      </dl>
    </Figure>
  );
}

/** Workers connected to the task queue (admins: `GET /api/v1/system/info`); none means queued tasks wait. */
function WorkersFigure() {
  const info = useQuery(systemInfoQuery(true));
  if (!info.data) {
    return (
      <Figure label="Workers" value="—">
        <Text size="sm" c="gray.7">
          {info.isError ? 'Could not be read just now' : 'Loading…'}
        </Text>
      </Figure>
    );
  }
  const detail = workersDetail(info.data.workers);
  return (
    <Figure label="Workers" value={formatCount(info.data.workers)}>
      <Text size="sm" c={detail.alarming ? 'red.8' : 'gray.7'}>
        {detail.text}
      </Text>
    </Figure>
  );
}

/** Whether the signed-in user sees the Workers figure (it reads the system's state). */
function useShowsWorkers(): boolean {
  return useMe().permissions.includes('system:read');
}

/** Six figures go in rows of three (or all six on one row) rather than five and one left over. */
function figuresClass(showsWorkers: boolean): string {
  return showsWorkers ? 'overview-figures overview-figures-six' : 'overview-figures';
}

function FailureDetail({ detail, failed, range }: { detail: string; failed: number; range: '1h' | '24h' }) {
  return (
    <>
      <Text size="sm" c="gray.7">
        {detail}
      </Text>
      {failed > 0 && (
        <Anchor component={Link} to={`/tasks?status=failed&range=${range}`} size="sm">
          {range === '1h' ? 'Failed tasks, last hour' : 'Failed tasks, last day'}
        </Anchor>
      )}
    </>
  );
}

/** The top row: running tasks, queue depth, workers (admins), failure rate of the last hour and day, open circuit breakers. */
export function Figures({ stats }: { stats: Stats }) {
  const showsWorkers = useShowsWorkers();
  const hour = failureSummary(stats.lastHour);
  const day = failureSummary(stats.lastDay);
  const breakers = stats.openCircuitBreakers.length;
  return (
    <section aria-label="Health at a glance" className={figuresClass(showsWorkers)}>
      <Figure label="Running tasks" value={formatCount(stats.running)}>
        <Anchor component={Link} to="/tasks?status=running" size="sm">
          View running tasks
        </Anchor>
      </Figure>
      <QueueFigure queue={stats.queue} />
      {showsWorkers && <WorkersFigure />}
      <Figure label="Failure rate, last hour" value={hour.value}>
        <FailureDetail detail={hour.detail} failed={stats.lastHour.failed} range="1h" />
      </Figure>
      <Figure label="Failure rate, last day" value={day.value}>
        <FailureDetail detail={day.detail} failed={stats.lastDay.failed} range="24h" />
      </Figure>
      <Figure label="Open circuit breakers" value={formatCount(breakers)}>
        {breakers === 0 ? (
          <Text size="sm" c="gray.7">
            All closed
          </Text>
        ) : (
          <Anchor href="#open-breakers" size="sm">
            See which agents
          </Anchor>
        )}
      </Figure>
    </section>
  );
}

export function FiguresSkeleton() {
  const showsWorkers = useShowsWorkers();
  return (
    <section aria-label="Loading health figures" aria-busy className={figuresClass(showsWorkers)}>
      {Array.from({ length: showsWorkers ? 6 : 5 }, (_, i) => (
        <Skeleton key={i} className="overview-figure" radius="md" />
      ))}
    </section>
  );
}
